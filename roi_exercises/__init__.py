"""Checked exercises for the course chapters (one module per chapter: ``roi_exercises.ch1`` ...)."""

from roi_exercises.core import Exercise, ExerciseSet, Result, UnknownExercise, compare

__all__ = ["Exercise", "ExerciseSet", "Result", "UnknownExercise", "compare"]
