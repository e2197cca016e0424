"""Delivery: subscribers, the send ledger, and the providers that hand messages over.

The recipe of a send (:mod:`flemletter.delivery.send`): check the issue → freeze the recipient
list in the ledger → for each batch, mark it ``submitting`` → hand it to the provider → record
each recipient's outcome. Only this package touches the subscriber database and the network.

Errors:

- :class:`flemletter.problems.UserError` — the user's input or set-up is wrong (a bad CSV
  row, a missing secret, a send already running); shown as problems, exit code 1.
- :class:`flemletter.delivery.providers.StopSending` — a provider refuses the whole send
  (wrong password, API key without permission) before handing over anything of the batch.
"""
