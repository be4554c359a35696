"""otklik: accounting customer feedback and managing CX metrics and KPIs."""

__version__ = "0.1.0"

__all__ = ["__version__"]
