"""CAP 1.2: the messages of a warning or a public drill (messages), the Atom
index of current alerts (index) and optional XML signatures (signing)."""
