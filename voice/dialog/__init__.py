"""The dialog: text in, Reply out. Pure Python; imports no audio library."""
