"""Staff conversation review: read, filter, annotate and export what patients said.

A small Flask app (`python -m review serve`, started by `make run`) and a command-line
tool (`python -m review --help`) over the database that `clinic.database` points to:
Rasa's tracker store table `events`, the booking requests, and the review tables, all
defined in `clinic.schema` (`review.tables` names the ones the review tools use)."""
