package ledgers

// ExampleSchema is the layout of the example datastore: galexie's pubnet
// layout, one ledger per file and 64000 files per partition.
var ExampleSchema = SingleLedgerFiles

// WriteExample writes the example datastore that the project checks in
// under examples/datastore: both real pubnet ledgers the SDK ships, with a
// manifest naming pubnet. Ledger 58752000 is re-encoded from its raw XDR as
// galexie would write it; ledger 53312000 is galexie's own file, copied
// byte for byte. The output depends only on the SDK version, so running it
// again reproduces the checked-in files exactly.
func WriteExample(dir string) error {
	pubnet, err := Pubnet()
	if err != nil {
		return err
	}
	if err := WriteDatastore(dir, PubnetPassphrase, ExampleSchema, pubnet); err != nil {
		return err
	}
	return WriteGalexieFile(dir)
}
