"""Calculators for rights answers: late-wage compensation, deadlines, redundancy pay."""
