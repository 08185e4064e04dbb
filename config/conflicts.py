"""The one refusal every app's rules share for "not in this state": a skipped or repeated step of a workflow, any
write to a published evaluation, a change to a frozen scorecard. The API answers it 409 (``accounts/viewsets.py``);
pages show its message."""


class Conflict(Exception):
    """A step the record's present state does not allow."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
