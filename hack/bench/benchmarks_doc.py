"""The one writer of docs/BENCHMARKS.md for the bench scripts: each owns a section between
`<!-- NAME:begin -->` and `<!-- NAME:end -->`, replaced in place on every run, or appended the
first time. Used from the scripts' inline Python with `hack/bench` on sys.path."""
import re


def write_section(doc: str, section: str) -> None:
    section = section.strip("\n") + "\n"
    match = re.match(r"<!-- ([\w-]+):begin -->", section)
    if not match:
        raise ValueError("a section starts with its <!-- NAME:begin --> marker")
    name = match.group(1)
    text = open(doc).read()
    pattern = rf"<!-- {re.escape(name)}:begin -->.*?<!-- {re.escape(name)}:end -->\n?"
    if re.search(pattern, text, flags=re.S):
        text = re.sub(pattern, lambda _: section, text, count=1, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    open(doc, "w").write(text)
