// Package pgtest starts a throwaway PostgreSQL server for tests: initdb
// into a temporary directory, a server listening only on a unix socket in
// that directory, and cleanup that stops it and removes everything.
//
// The binaries come from $PG_BIN, else the newest /usr/lib/postgresql/*/bin
// (Debian's layout), else initdb on PATH. PostgreSQL refuses to run as
// root, so when the tests do, the server runs as the user "nobody".
//
// Without PostgreSQL a test is skipped, except under CI=true, where a
// missing dependency is a failure.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// User is the superuser of a test server. Authentication is trust, so
// any password is accepted.
const User = "postgres"

// port only names the socket file; nothing listens on TCP.
const port = 5432

// Server is a running throwaway PostgreSQL.
type Server struct {
	bin     string
	root    string
	dataDir string
	logFile string
	cred    *syscall.Credential
	dbSeq   atomic.Int64
}

// Start initializes and starts a server of t's own, and registers its
// teardown with t. It skips t when PostgreSQL is not installed, unless
// CI=true. Tests that stop the server need a server of their own.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := binOrSkip(t)
	s, err := start(bin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(s.destroy)
	return s
}

// shared is the server that Shared hands out.
var shared struct {
	once sync.Once
	s    *Server
	err  error
}

// Shared returns a server shared by the tests of a package, started on
// first use, which saves each test the second or two that initdb takes.
// Tests must not stop it, and should each work in a database of their own
// ([Server.CreateDatabase]). The package's TestMain calls [StopShared]
// after m.Run.
func Shared(t testing.TB) *Server {
	t.Helper()
	bin := binOrSkip(t)
	shared.once.Do(func() { shared.s, shared.err = start(bin) })
	if shared.err != nil {
		t.Fatalf("pgtest: %v", shared.err)
	}
	return shared.s
}

// StopShared stops and removes the shared server, if it was started.
func StopShared() {
	if shared.s != nil {
		shared.s.destroy()
	}
}

// binOrSkip finds the binaries, or skips t (fails it under CI=true).
func binOrSkip(t testing.TB) string {
	t.Helper()
	bin, err := findBin()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pgtest: %v (CI=true: PostgreSQL is required; scripts/setup.sh installs it)", err)
		}
		t.Skipf("pgtest: %v", err)
	}
	return bin
}

// findBin returns the directory that holds initdb and pg_ctl.
func findBin() (string, error) {
	if dir := os.Getenv("PG_BIN"); dir != "" {
		return dir, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	if path, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(path), nil
	}
	return "", errors.New("initdb not found in $PG_BIN, /usr/lib/postgresql/*/bin or PATH")
}

// version reads the major version from a /usr/lib/postgresql/N/bin path.
func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func start(bin string) (*Server, error) {
	base := os.TempDir()
	if len(base) > 40 { // the socket path must fit in sun_path (107 bytes)
		base = "/tmp"
	}
	root, err := os.MkdirTemp(base, "pgtest-")
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, root: root, dataDir: filepath.Join(root, "data"), logFile: filepath.Join(root, "server.log")}
	if os.Geteuid() == 0 {
		if s.cred, err = unprivileged(); err != nil {
			os.RemoveAll(root)
			return nil, err
		}
		if err := os.Chown(root, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			os.RemoveAll(root)
			return nil, err
		}
	}
	if out, err := s.run("initdb", "-D", s.dataDir, "-U", User, "--auth=trust", "--no-locale", "-E", "UTF8", "--no-sync"); err != nil {
		os.RemoveAll(root)
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	if err := s.Start(); err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	return s, nil
}

// unprivileged returns the credential of the user "nobody".
func unprivileged() (*syscall.Credential, error) {
	u, err := user.Lookup("nobody")
	if err != nil {
		return nil, fmt.Errorf("running as root, and there is no user nobody to run PostgreSQL as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// run runs one of the server's binaries, as the unprivileged user when
// there is one.
func (s *Server) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.root
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LANG=C", "LC_ALL=C", "HOME=" + s.root}
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return cmd.CombinedOutput()
}

// Start starts the server after Stop, waiting until it accepts
// connections.
func (s *Server) Start() error {
	// fsync=off is safe for a crash of the server, which the tests cause,
	// since what it wrote is still in the OS page cache; it is not for a
	// crash of the machine, which they do not. synchronous_commit stays on:
	// off, a killed server loses commits it has already acknowledged.
	opts := fmt.Sprintf("-k %s -p %d -c listen_addresses='' -c fsync=off -c full_page_writes=off", s.root, port)
	if out, err := s.run("pg_ctl", "-D", s.dataDir, "-l", s.logFile, "-w", "-t", "60", "-o", opts, "start"); err != nil {
		return fmt.Errorf("pg_ctl start: %w\n%s\n%s", err, out, s.logTail())
	}
	return nil
}

// Stop stops the server the way an operator would (fast shutdown: open
// sessions are ended).
func (s *Server) Stop() error { return s.stop("fast") }

// Kill stops the server the way a crash would (immediate shutdown: no
// checkpoint, recovery on the next start).
func (s *Server) Kill() error { return s.stop("immediate") }

func (s *Server) stop(mode string) error {
	if out, err := s.run("pg_ctl", "-D", s.dataDir, "-m", mode, "-w", "-t", "60", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %w\n%s", err, out)
	}
	return nil
}

func (s *Server) destroy() {
	if _, err := os.Stat(filepath.Join(s.dataDir, "postmaster.pid")); err == nil {
		_ = s.stop("immediate")
	}
	os.RemoveAll(s.root)
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(s.logFile)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// Host is the directory of the server's unix socket, which libpq and pgx
// take as a host.
func (s *Server) Host() string { return s.root }

// Port is the port that names the server's socket.
func (s *Server) Port() int { return port }

// DSN returns a keyword/value connection string for database.
func (s *Server) DSN(database string) string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable", s.root, port, User, database)
}

// CreateDatabase creates a fresh database and returns its name.
func (s *Server) CreateDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("test_%d", s.dbSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		t.Fatalf("pgtest: connecting: %v\n%s", err, s.logTail())
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("pgtest: creating database %s: %v", name, err)
	}
	return name
}

// Log returns the end of the server's log, for failure messages.
func (s *Server) Log() string { return strings.TrimSpace(s.logTail()) }

// Freeze stops the server's processes (the postmaster and every process
// it started) with SIGSTOP, the way a hung machine or a debugger does:
// connections stay open and nothing answers. Thaw resumes them.
func (s *Server) Freeze() error { return s.signalAll(syscall.SIGSTOP) }

// Thaw resumes the processes Freeze stopped, with SIGCONT.
func (s *Server) Thaw() error { return s.signalAll(syscall.SIGCONT) }

// signalAll sends sig to the postmaster and to its children.
func (s *Server) signalAll(sig syscall.Signal) error {
	pidFile, err := os.ReadFile(filepath.Join(s.dataDir, "postmaster.pid"))
	if err != nil {
		return fmt.Errorf("pgtest: the server is not running: %w", err)
	}
	first, _, _ := strings.Cut(string(pidFile), "\n")
	postmaster, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		return fmt.Errorf("pgtest: postmaster.pid: %w", err)
	}
	pids := []int{postmaster}
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range procs {
		stat, err := os.ReadFile(p)
		if err != nil {
			continue // the process is gone
		}
		// The fields after the command, which is in parentheses and
		// may hold spaces: state, then the parent's pid.
		i := strings.LastIndexByte(string(stat), ')')
		fields := strings.Fields(string(stat[i+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(postmaster) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
			pids = append(pids, pid)
		}
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("pgtest: signalling %d: %w", pid, err)
		}
	}
	return nil
}
