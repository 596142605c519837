"""Steps that change a corpus for delivery: cleaning (:mod:`.filters`, :mod:`.clean`), masking of
personal data (:mod:`.mask`, :mod:`.detectors`). Each is a registry of plug-ins, and scores are kept
apart from the decisions made on them."""
