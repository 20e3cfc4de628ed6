"""Text messages (短信通知): the outbox, the SMS channel behind one interface, and the
milestones an applicant is told of. See :mod:`yilian.notices.notify`."""
