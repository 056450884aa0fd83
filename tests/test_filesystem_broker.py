"""The embedded default's broker writes each message whole before a worker can see it."""

import pytest
from kombu import Connection
from kombu.transport.virtual import Empty


@pytest.fixture
def channel(tmp_path):
    folder = str(tmp_path)
    options = {"data_folder_in": folder, "data_folder_out": folder, "control_folder": folder}
    with Connection(
        "filesystem://", transport="wrc.lib.filesystem_broker:Transport",
        transport_options=options,
    ) as connection:  # fmt: skip
        yield connection.default_channel


def test_a_message_is_readable_and_leaves_no_partial_file(channel, tmp_path):
    channel._put("letters", {"body": "hello"})
    assert [p.name.endswith(".letters.msg") for p in tmp_path.iterdir()] == [True]
    assert channel._get("letters") == {"body": "hello"}


def test_a_message_still_being_written_is_not_taken(channel, tmp_path):
    (tmp_path / ".1_abc.letters.msg.partial").write_bytes(b"")
    with pytest.raises(Empty):
        channel._get("letters")
    assert (tmp_path / ".1_abc.letters.msg.partial").exists()


def test_the_embedded_default_uses_it(settings):
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        pytest.skip("Redis is configured")
    assert settings.CELERY_BROKER_TRANSPORT == "wrc.lib.filesystem_broker:Transport"


def test_no_worker_can_see_a_message_while_it_is_written(channel, tmp_path, monkeypatch):
    from wrc.lib import filesystem_broker

    listings = []

    def dumps_and_look(payload):
        listings.append(sorted(p.name for p in tmp_path.iterdir()))
        return filesystem_broker_dumps(payload)

    filesystem_broker_dumps = filesystem_broker.dumps
    monkeypatch.setattr(filesystem_broker, "dumps", dumps_and_look)
    channel._put("letters", {"body": "hello"})

    assert listings and not any(name.endswith(".msg") for name in listings[0])
