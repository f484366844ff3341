"""`python cli.py ...` does what the installed `axis-sim ...` does."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from axis_sim.cli import main

if __name__ == "__main__":
    main()
