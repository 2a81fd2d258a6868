"""Understanding free text: the words and patterns the actions read in what patients type."""
