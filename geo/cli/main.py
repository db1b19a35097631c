"""``python -m geo``: the batch command line for everything the dashboard computes.

:func:`main` parses the arguments (:mod:`geo.cli.parser`), runs the command
(:mod:`geo.cli.commands`) and turns every error into one line on stderr and
exit status 2; a traceback is printed only with ``--debug``.
"""
from __future__ import annotations

import logging
import sys
import warnings
from typing import Final, Sequence

from geo.cli.commands import COMMANDS
from geo.cli.parser import build_parser
from layers.errors import JunhengError
from layers.i18n import error_text, t

__all__ = ["USER_ERRORS", "error_line", "main"]

#: What ends a command with one error line: the project's errors (one root), and the
#: operating system's own file errors (a folder that cannot be written, a full disk).
USER_ERRORS: Final = (JunhengError, OSError)


def error_line(exc: BaseException, lang: str = "en") -> str:
    r"""Return the one stderr line of the error ``exc`` a command raised: ``error: <message>``, several lines joined with `` | ``.

    The message is in ``lang`` when the error carries a catalogue key (:func:`layers.i18n.error_text`).

    Examples
    --------
    >>> error_line(ValueError("row 2: bad\nrow 3: worse"))
    'error: 2 problems: row 2: bad | row 3: worse'
    >>> error_line(JunhengError("closing S1 ...", key="sc_e_shape"), "zh")
    'error: 方案应为 JSON 对象 {"name": ..., "actions": [...]}。'
    """
    lines = [line for line in error_text(exc, lang).splitlines() if line.strip()]
    text = t("cli_problems", lang, n=len(lines)) + " | ".join(lines) if len(lines) > 1 else (lines[0] if lines else type(exc).__name__)
    return f"error: {text}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command of ``python -m geo``; return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success; 2 for a wrong argument or any error of :data:`USER_ERRORS`
        (printed as one line on stderr).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed by argparse
        return int(exc.code or 0)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    warnings.showwarning = lambda message, category, *a, **k: print(f"warning: {message}", file=sys.stderr)
    try:
        return COMMANDS[args.run](args)
    except USER_ERRORS as exc:
        if args.debug:
            raise
        print(error_line(exc, getattr(args, "lang", "zh")), file=sys.stderr)
        return 2
