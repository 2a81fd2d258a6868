"""Reading runners' words, shared by the safety check, the triage and booking: negation scope, yes/no answers."""
