"""What ships: the wheel carries types and migrations, not tests or the example site."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_carries_py_typed_and_migrations_but_not_tests_or_the_example(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("rix_auth-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "rix_auth/py.typed" in names
    assert "rix_auth/migrations/0001_initial.py" in names
    assert "rix_auth/testing/contract.py" in names
    assert "rix_auth/templates/rix_auth/base.html" in names
    assert "rix_auth/static/rix_auth/rix_auth.css" in names
    assert "rix_auth/locale/fr/LC_MESSAGES/django.mo" in names
    assert not [n for n in names if n.startswith(("tests/", "example_project/"))]
