"""Independent test oracles: plain loops and numpy, never symconv (an import-linter contract)."""
