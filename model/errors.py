"""One error hierarchy: every mistake a user can make is a :class:`ZonesimError`, whose message
is one line naming the file, key or option and what was expected. The CLI prints it without a
traceback, catching by type."""


class ZonesimError(Exception):
    """A bad input to zonesim (a scenario file, an option, an experiment or calibration request).
    """

    #: the message starts with the file it is about, so the CLI prints it as it is; other
    #: messages get the prefix ``zonesim:``
    names_its_file = False


class ScenarioError(ZonesimError):
    """A scenario file is malformed or inconsistent; the message says where and what."""

    names_its_file = True


class ExperimentError(ZonesimError):
    """A bad experiment request (unknown parameter, bad range, bad method, folder clash)."""


class CalibrationError(ZonesimError):
    """A calibration request the data or the scenario cannot support."""


def cut(text, limit: int = 80) -> str:
    """``text`` as a user gave it, cut to ``limit`` characters: an error echoes a user's input
    at most once and never at full length (a 200 000-character name would bury the message)."""
    # control characters would break the message's one line
    text = str(text).translate({10: "\\n", 13: "\\r", 9: "\\t"})
    return text if len(text) <= limit else text[:limit - 1] + "…"


def one_line(text) -> str:
    """A message as the CLI prints it: on one line, whatever a path or name in it holds."""
    return str(text).strip().replace("\r", "\\r").replace("\n", "\\n")
