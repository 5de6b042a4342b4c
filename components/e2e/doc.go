// Package e2e holds the end-to-end tests and benchmarks of the components:
// real pubnet ledgers and synthetic protocol 23 ledgers, read from
// filesystem datastores, through the processors into JSON lines and a real
// PostgreSQL. It has no code outside its tests; keeping them in one package
// builds the Stellar SDK into one test binary instead of one per component.
package e2e
