# The course's Jupyter server settings. scripts/course.py puts this directory first on
# JUPYTER_CONFIG_PATH, so they add to (and never replace) your own Jupyter config.
# Saving a chapter (notebooks/NN_*.ipynb, also by autosave) writes it without outputs or widget
# state, so the tracked notebooks stay as committed and never reopen showing
# "Error displaying widget: model not found". See scripts/clean_notebooks.py.
import importlib.util
import warnings
from pathlib import Path

_path = Path(__file__).resolve().parent.parent / "clean_notebooks.py"
_spec = importlib.util.spec_from_file_location("roi_course_clean_notebooks", _path)
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)

# Jupyter applies the config twice (once more after loading its extensions); the second time
# traitlets warns that the hook replaces itself.
warnings.filterwarnings("ignore", message="Overriding existing pre_save_hook")

c = get_config()  # noqa: F821 (provided by Jupyter's config loader)
c.FileContentsManager.pre_save_hook = _module.pre_save_hook
