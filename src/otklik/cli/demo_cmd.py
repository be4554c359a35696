"""``otklik demo``: a realistic company's feedback in a fresh store (filled in by the demo work)."""
