"""The embedded default's Celery broker: kombu's filesystem transport, writing each message
atomically.

kombu creates a message file under its final name and then writes it, so a worker that polls
at that moment can take the still-empty file and stop with "Unrecoverable error:
JSONDecodeError" (seen when the web process and the worker publish and consume at once). Here a
message is written under a name that no worker reads and then renamed into place: a rename is
atomic, so a worker sees a whole message or none.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # The name kombu's reader expects: "<ms>_<uuid>.<queue>.msg", oldest first.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.partial")
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
