"""Authoring, what course authors run: stubs generated from the solutions, the lesson-code runner,
model diagrams and measured figures, the learner release and its README, and `course new-exercise`."""
