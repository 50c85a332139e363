"""Regenerate the generated part of docs/cases.md from the case-file schema.

python3 scripts/update_case_reference.py        (make docs)
"""

from pathlib import Path

from spinfem.case.reference import BEGIN, END, reference

path = Path(__file__).resolve().parents[1] / "docs" / "cases.md"
text = path.read_text()
head = text[: text.index(BEGIN)] if BEGIN in text else text + "\n"
tail = text[text.index(END) + len(END) + 1 :] if END in text else ""
path.write_text(head + reference() + tail)
print(f"updated {path}")
