"""One module per published source format; each declares its sources (SOURCES) and how to recognise them."""

from analysis.ingest.importers import (
    boundaries,
    ipss_projection,
    iryou_net,
    kaigo_kouhyou,
    kaigo_nenpo,
    kouseikyoku,
    ndb,
    soumu_codes,
    templates,
    zaitaku_databook,
)

# The order files are offered to the sources: those told by their name first, then those told by
# a peek at their content (an unnamed workbook is opened once and its cells kept for the others).
SOURCES = (
    *ipss_projection.SOURCES,
    *kaigo_kouhyou.SOURCES,
    *iryou_net.SOURCES,
    *kouseikyoku.SOURCES,
    *soumu_codes.SOURCES,
    *zaitaku_databook.SOURCES,
    *kaigo_nenpo.SOURCES,
    *ndb.SOURCES,
    *templates.SOURCES,
    *boundaries.SOURCES,
)
SOURCES_BY_KEY = {source.key: source for source in SOURCES}
