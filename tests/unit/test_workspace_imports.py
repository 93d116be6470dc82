"""The web pages load without the solver: OR-Tools is imported only when a run plans."""

import subprocess
import sys


def test_the_app_and_its_pages_import_without_or_tools():
    code = "import sys, wsgi, planning.web.plan_pages; print('ortools' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
