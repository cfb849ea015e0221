"""Breathing exercises: timelines built from the scripts, and their clock-driven player."""
