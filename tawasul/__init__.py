"""The composition root: the one place that knows the four services and wires them into one system."""
