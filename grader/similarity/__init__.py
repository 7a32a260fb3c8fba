"""Similarity between students' answers, exercise by exercise: `course similarity` and `course grade --similarity`.

One module per job:

- `collect`: each student's code per exercise, found by the batch grader's intake (folders, zip
  archives, nbgrader's tree, notebooks); what cannot be compared (empty, binary, too large, a
  refused submission) is listed with the reason;
- `boilerplate`: the text every student starts from or was shown — the exercise's stub and the code
  blocks of its lesson — which never counts as a match;
- `detect`: copydetect's winnowed fingerprints (MOSS's method) compared per exercise, with identifiers
  and strings normalised so renamed variables and reordered functions still match;
- `csv_report` and `html_report`: `similarity.csv` (every pair) and `similarity.html` (the flagged
  pairs side by side, matched regions highlighted);
- `run`: the whole pass, from submission folders to the two files.

It flags, never penalises: nothing here reads or writes a grade.
"""
