# Diary invitations are outgoing messages (outbox.OutgoingMail, kind "diary_invitation"), one per
# person and version of a meeting; this app keeps no sending records of its own.
