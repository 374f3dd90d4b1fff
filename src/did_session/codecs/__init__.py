"""Pure-Python codecs: strict base encodings and varints (:mod:`.bases`), CIDs
(:mod:`.cid`) and canonical DAG-CBOR (:mod:`.dag_cbor`)."""
