package ledgers

import (
	"time"

	"github.com/stellar/go-stellar-sdk/xdr"
)

// SyntheticStart is the sequence of the first ledger of the synthetic run
// that benchmarks read ([SyntheticAt]).
const SyntheticStart = 1_000_000

// SyntheticAt returns ledger i of the synthetic run, numbered
// SyntheticStart+i and closed 5 s after ledger i-1: ten transactions of
// two payments each (one native, one credit), one failed transaction and
// one Soroban transaction with two contract events. It is the ledger the
// end-to-end benchmark (bench/e2e) and the processors' per-ledger
// benchmarks read, in one place so that they measure the same work.
func SyntheticAt(i int) (xdr.LedgerCloseMeta, error) {
	spec := LedgerSpec{
		Sequence:  uint32(SyntheticStart + i),
		CloseTime: time.Date(2025, 9, 3, 12, 0, 0, 0, time.UTC).Add(time.Duration(i) * 5 * time.Second),
	}
	for t := range 10 {
		from := byte(10 + t)
		spec.Transactions = append(spec.Transactions, TxSpec{Source: Account(from), Operations: []Op{
			Payment(nil, Account(from+1), Native(), int64(10_000_000*(t+1))),
			Payment(nil, Account(from+2), Credit("USDC", 1), int64(1_234_567+t)),
		}})
	}
	spec.Transactions = append(spec.Transactions,
		TxSpec{Source: Account(30), Failed: true, Operations: []Op{
			Payment(nil, Account(31), Native(), 1),
		}},
		TxSpec{Source: Account(32), Operations: []Op{
			InvokeContract(Contract(1), "transfer",
				Event(Contract(1), xdr.ContractEventTypeContract, I128(int64(i)), Symbol("transfer"), AddressVal(Account(32))),
				Event(Contract(1), xdr.ContractEventTypeContract, Symbol("done"), Symbol("log")),
			),
		}},
	)
	return Build(spec)
}
