"""/usr/bin/python3 -m netsurv_analysis report FILE.h5 OUTDIR [--strict]
/usr/bin/python3 -m netsurv_analysis summary FILE.h5 [--csv]"""
import sys

from .cli import main

sys.exit(main())
