"""在宅医療・介護連携推進事業 PDCA workbench: importers, analysis functions and the report runner."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("zaitaku-workbench")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"
