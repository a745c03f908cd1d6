"""Each chapter's data (maps, boxes, cases) in one place, without widgets or plotting.

``roi_chapters.chN`` holds chapter N's maps and boxes. The notebooks, their exercises
(``roi_exercises``), their explorers (``roi_widgets``) and the figure scripts
(``scripts/figures``) all import them from here, so checking an exercise never imports
ipywidgets or matplotlib, and a picture is drawn from the very arrays the text uses.
"""
