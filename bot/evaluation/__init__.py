"""Measuring the helpline: held-out evaluation, baselines and external benchmarks."""
