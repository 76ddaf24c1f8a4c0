"""Presentation: labels and number formats, figures, output files and notebook helpers."""
