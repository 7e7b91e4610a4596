"""The collective signal: employers named by several users who agreed to have them counted,
shown to organisers as counts, never as people."""
