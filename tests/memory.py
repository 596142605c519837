"""Peak memory of a child Python process, measured in the child itself."""

#: Python source that prints the process's own peak RSS in MB: VmHWM, the high-water mark of this
#: process's memory. ``ru_maxrss`` would also count the pytest process it was forked from (Linux
#: carries the parent's peak over fork and exec), so a test would fail after a memory-hungry test.
PRINT_OWN_PEAK_MB = """
import re as _re
import resource as _resource
try:
    with open("/proc/self/status", encoding="ascii") as _f:
        print(int(_re.search(r"VmHWM:\\s*([0-9]+) kB", _f.read()).group(1)) // 1024)
except OSError:  # no /proc: the rusage peak, an upper bound
    print(_resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss // 1024)
"""
