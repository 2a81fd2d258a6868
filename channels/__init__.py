"""Rasa input/output channels for the places runners chat with the assistant."""
