package data

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"filippo.io/age"

	"hms/app"
	"hms/app/i18n"
)

// An encrypted backup is one file: an age file (age-encryption.org/v1)
// encrypted to the clinic's backup public key, an X25519 recipient,
// holding a tar archive of three members in this order:
//
//	manifest.json      what the backup is: when and where made, the schema
//	                   version, the SHA-256 of hms.db and each table's rows
//	hms.db             SQLite's online backup of the database
//	hms.db.audit-key   the audit key, as a key file holds it
//
// Writing needs only the public key, so scheduled backups store no secret;
// opening needs the private recovery key, which HMS shows once and never
// keeps. A backup is verified after writing without the recovery key: the
// writer remembers the file key it wrapped, in memory only, and decrypts
// the file it wrote with it, checking that the file's header carries
// exactly the stanza wrapped for the recipient.

// BackupFileExt is the extension of encrypted backups.
const BackupFileExt = ".hmsbackup"

const (
	ageMagic       = "age-encryption.org/v1\n"
	manifestFormat = "hms-backup-1"
	memberManifest = "manifest.json"
	memberDB       = "hms.db"
	memberKey      = "hms.db.audit-key"
)

// backupManifest describes an encrypted backup's database.
type backupManifest struct {
	Format  string           `json:"format"`
	Created time.Time        `json:"created"`
	Desk    string           `json:"desk"`
	Schema  int              `json:"schema"`
	SHA256  string           `json:"sha256"`
	Rows    map[string]int64 `json:"rows"`
}

func (m *backupManifest) total() int64 {
	var n int64
	for _, r := range m.Rows {
		n += r
	}
	return n
}

// IsEncryptedBackup reports whether the file at path is an encrypted
// backup (an age file) rather than a plain SQLite copy.
func IsEncryptedBackup(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, len(ageMagic))
	n, _ := io.ReadFull(f, head)
	return string(head[:n]) == ageMagic, nil
}

// NewRecoveryKey makes a backup key pair.
func NewRecoveryKey() (*app.RecoveryKey, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("recovery key: %w", err)
	}
	return &app.RecoveryKey{Recipient: id.Recipient().String(), Identity: id.String()}, nil
}

// parseRecipient reads a backup public key.
func parseRecipient(s string) (*age.X25519Recipient, error) {
	r, err := age.ParseX25519Recipient(strings.TrimSpace(s))
	if err != nil {
		return nil, app.FieldErrorf("recipient", "%q is not a backup public key (one begins with age1 and is 62 characters long).", strings.TrimSpace(s))
	}
	return r, nil
}

// parseRecoveryKey reads a recovery key as typed (in any case, with
// spaces, as written down in groups), as pasted from its file (comments
// and all, even run together on one line), or as the file's text.
func parseRecoveryKey(s string) ([]age.Identity, error) {
	const prefix = "AGE-SECRET-KEY-"
	key := ""
	for _, line := range strings.Split(s, "\n") {
		line = strings.ToUpper(strings.Join(strings.Fields(line), ""))
		if i := strings.Index(line, prefix); i >= 0 {
			key = line[i:]
			break
		}
	}
	if key == "" {
		if strings.TrimSpace(s) == "" {
			return nil, app.FieldErrorf("recovery_key", "Enter the recovery key: it begins with AGE-SECRET-KEY-1.")
		}
		return nil, app.FieldErrorf("recovery_key", "This is not a recovery key: a recovery key begins with AGE-SECRET-KEY-1 and is 74 characters long.")
	}
	id, err := age.ParseX25519Identity(key)
	if err != nil {
		return nil, app.FieldErrorf("recovery_key", "This is not a recovery key, or a character of it is wrong: a recovery key begins with AGE-SECRET-KEY-1 and is 74 characters long (this one has %d).", len(key))
	}
	return []age.Identity{id}, nil
}

// capturingRecipient wraps the file key for the clinic's key and
// remembers it, in memory, so the writer can decrypt what it wrote.
type capturingRecipient struct {
	r       *age.X25519Recipient
	fileKey []byte
	stanzas []*age.Stanza
}

func (c *capturingRecipient) Wrap(fileKey []byte) ([]*age.Stanza, error) {
	s, err := c.r.Wrap(fileKey)
	if err != nil {
		return nil, err
	}
	c.fileKey = bytes.Clone(fileKey)
	c.stanzas = s
	return s, nil
}

// writerIdentity opens a file that capturingRecipient encrypted, only
// when its header carries the very stanzas wrapped for the recipient.
type writerIdentity struct{ c *capturingRecipient }

func (w writerIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	same := len(stanzas) == len(w.c.stanzas)
	for i := 0; same && i < len(stanzas); i++ {
		a, b := stanzas[i], w.c.stanzas[i]
		same = a.Type == b.Type && slices.Equal(a.Args, b.Args) && bytes.Equal(a.Body, b.Body)
	}
	if !same || w.c.fileKey == nil {
		return nil, fmt.Errorf("the backup's header is not the one written: %w", age.ErrIncorrectIdentity)
	}
	return bytes.Clone(w.c.fileKey), nil
}

// countRows counts the rows of every table of the database file at path.
func countRows(ctx context.Context, path string) (map[string]int64, int, error) {
	db, err := sql.Open(driverName, "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&_query_only=1")
	if err != nil {
		return nil, 0, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, 0, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, 0, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	out := make(map[string]int64, len(names))
	for _, n := range names {
		var c int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+QuoteIdent(n)).Scan(&c); err != nil {
			return nil, 0, err
		}
		out[n] = c
	}
	var version int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return nil, 0, err
	}
	return out, version, nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// privateWorkDir makes an owner-only folder beside the database for the
// plain copies a backup or restore passes through, which never go to the
// backup folder.
func privateWorkDir(dbPath, pattern string) (string, error) {
	dir, err := os.MkdirTemp(filepath.Dir(dbPath), pattern)
	if err != nil {
		return "", fmt.Errorf("backup: a working folder beside the database: %w", err)
	}
	return dir, nil
}

// writeEncryptedBackup writes an encrypted backup of db to dst for
// recipient, verifies it (decrypted with the file key it was written
// with, the database's pages, schema, audit log and records checked, and
// every table's rows counted against the snapshot's), and only then
// renames it into place.
func (db *DB) writeEncryptedBackup(ctx context.Context, dst, recipient, desk string) (*app.BackupRun, error) {
	rcp, err := parseRecipient(recipient)
	if err != nil {
		return nil, err
	}
	dst = filepath.Clean(dst)
	if what := db.ownFile(dst); what != "" {
		return nil, app.FieldErrorf("path", "Choose another file than %s: a backup never replaces it.", what)
	}
	work, err := privateWorkDir(db.path, ".hms-backup-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	plain := filepath.Join(work, memberDB)
	if err := db.Backup(ctx, plain); err != nil {
		return nil, err
	}
	man := &backupManifest{Format: manifestFormat, Created: db.now().UTC(), Desk: desk}
	if man.Rows, man.Schema, err = countRows(ctx, plain); err != nil {
		return nil, fmt.Errorf("backup: count rows: %w", err)
	}
	if man.SHA256, err = fileSHA256(plain); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	partial := dst + ".partial"
	defer os.Remove(partial)
	capt := &capturingRecipient{r: rcp}
	if err := writeSealed(partial, capt, man, plain, []byte(encodeKey(db.key))); err != nil {
		return nil, app.FieldErrorf("folder", "Cannot write the backup to %s: %v.", dst, unwrapPathError(err))
	}
	chk, err := openSealed(ctx, partial, []age.Identity{writerIdentity{capt}}, filepath.Join(work, "verify"))
	if err != nil {
		return nil, fmt.Errorf("backup: the backup written to %s does not read back: %w", partial, err)
	}
	if len(chk.check.Problems) > 0 {
		// Most often the database's own: a record changed outside the app
		// (the check verifies the audit log and every record's seal). The
		// copy is not kept and, in a scheduled run, no older backup is
		// removed for it: the last good one stays.
		return nil, failedChecks{app.Errorf(app.EINVALID, "Not backed up: the database does not pass its checks (Audit → Verify database names each problem): %s. No older backup was removed.",
			i18n.Join("; ", chk.check.Problems...))}
	}
	if err := os.Rename(partial, dst); err != nil {
		return nil, app.FieldErrorf("folder", "Cannot write the backup to %s: %v.", dst, unwrapPathError(err))
	}
	syncDir(filepath.Dir(dst))
	fi, err := os.Stat(dst)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return &app.BackupRun{File: dst, Bytes: fi.Size(), Tables: len(man.Rows), Rows: man.total(), AuditOK: true,
		Finished: db.now().UTC()}, nil
}

// writeSealed writes the age file at path: manifest, database, key.
func writeSealed(path string, r age.Recipient, man *backupManifest, dbFile string, key []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	w, err := age.Encrypt(f, r)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	mj, err := json.MarshalIndent(man, "", " ")
	if err != nil {
		return err
	}
	add := func(name string, size int64, body io.Reader) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, ModTime: man.Created,
			Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := io.Copy(tw, body)
		return err
	}
	if err := add(memberManifest, int64(len(mj)), bytes.NewReader(mj)); err != nil {
		return err
	}
	in, err := os.Open(dbFile)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	if err := add(memberDB, fi.Size(), in); err != nil {
		return err
	}
	if err := add(memberKey, int64(len(key)), bytes.NewReader(key)); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}

// openedBackup is an encrypted backup decrypted into a private folder.
type openedBackup struct {
	dbFile, keyFile string
	man             *backupManifest
	check           app.BackupCheck
	// ownChecks are the checks of the encrypted format itself (key,
	// SHA-256, row counts), which a plain copy has not.
	ownChecks []i18n.Text
}

// openSealed decrypts the backup at src with ids into dir (made
// owner-only), and checks it: the members and their order, the database's
// SHA-256 and row counts against the manifest, and what a restore checks
// (CheckRestoreCandidate). A wrong key is a field error of recovery_key;
// what fails a check is in check.Problems.
func openSealed(ctx context.Context, src string, ids []age.Identity, dir string) (*openedBackup, error) {
	f, err := os.Open(src)
	if err != nil {
		return nil, app.FieldErrorf("file", "Cannot read %s: %v.", src, unwrapPathError(err))
	}
	defer f.Close()
	r, err := age.Decrypt(f, ids...)
	if err != nil {
		var nomatch *age.NoIdentityMatchError
		if errors.As(err, &nomatch) {
			return nil, app.FieldErrorf("recovery_key", "This recovery key does not open %s: the backup was made for another backup key. Nothing was changed.", filepath.Base(src))
		}
		return nil, app.FieldErrorf("file", "%s cannot be decrypted: %v.", src, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	o := &openedBackup{dbFile: filepath.Join(dir, memberDB), keyFile: filepath.Join(dir, memberKey)}
	o.check.Encrypted = true
	damaged := func(format string, args ...any) error {
		return app.FieldErrorf("file", "%s is damaged or not an HMS backup: %s.", src, fmt.Sprintf(format, args...))
	}
	tr := tar.NewReader(r)
	var dbSum string
	for i, want := range []string{memberManifest, memberDB, memberKey} {
		h, err := tr.Next()
		if err != nil {
			return nil, damaged("member %d (%s) cannot be read: %v", i+1, want, err)
		}
		if h.Name != want || h.Typeflag != tar.TypeReg {
			return nil, damaged("member %d is %q, not %s", i+1, h.Name, want)
		}
		switch want {
		case memberManifest:
			if h.Size > 1<<20 {
				return nil, damaged("its manifest is too large")
			}
			b, err := io.ReadAll(tr)
			if err != nil {
				return nil, damaged("its manifest cannot be read: %v", err)
			}
			o.man = &backupManifest{}
			if err := json.Unmarshal(b, o.man); err != nil || o.man.Format != manifestFormat {
				return nil, damaged("its manifest is not an HMS backup manifest")
			}
		case memberDB, memberKey:
			path := o.dbFile
			if want == memberKey {
				path = o.keyFile
			}
			out, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
			if err != nil {
				return nil, err
			}
			h := sha256.New()
			_, err = io.Copy(io.MultiWriter(out, h), tr)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return nil, damaged("%s cannot be read: %v", want, err)
			}
			if want == memberDB {
				dbSum = hex.EncodeToString(h.Sum(nil))
			}
		}
	}
	if _, err := tr.Next(); err != io.EOF {
		return nil, damaged("it holds more than a database and its key")
	}
	// The age reader authenticates each chunk; reading to the end proves
	// the file was not cut short or changed.
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, damaged("%v", err)
	}
	man := o.man
	o.check.Created, o.check.Desk, o.check.Schema, o.check.Rows = man.Created, man.Desk, man.Schema, man.total()
	if dbSum != man.SHA256 {
		o.check.Problems = append(o.check.Problems, i18n.Nf("its database is not the one its manifest describes (SHA-256 differs)"))
	} else {
		o.ownChecks = append(o.ownChecks, i18n.Nf("it decrypts with the key given, and its database is the one its manifest describes (SHA-256)"))
	}
	checked, problems, err := CheckRestoreCandidate(o.dbFile, o.keyFile)
	if err != nil {
		return nil, err
	}
	o.check.Problems = append(o.check.Problems, problems...)
	rows, _, err := countRows(ctx, o.dbFile)
	if err != nil {
		o.check.Problems = append(o.check.Problems, i18n.Nf("its rows cannot be counted: %s", err.Error()))
	} else if diff := diffRows(man.Rows, rows); diff != "" {
		o.check.Problems = append(o.check.Problems, i18n.Nf("its row counts differ from the manifest's: %s", diff))
	} else {
		o.ownChecks = append(o.ownChecks, i18n.Nf("its %d tables hold the %d rows the manifest counted", len(rows), man.total()))
	}
	o.check.Checked = append(slices.Clone(o.ownChecks), checked...)
	return o, nil
}

// diffRows names the tables whose counts differ, "" when none.
func diffRows(want, got map[string]int64) string {
	var out []string
	for t, n := range want {
		if g, ok := got[t]; !ok {
			out = append(out, t+" is missing")
		} else if g != n {
			out = append(out, fmt.Sprintf("%s has %d rows, not %d", t, g, n))
		}
	}
	for t := range got {
		if _, ok := want[t]; !ok {
			out = append(out, t+" is not in the manifest")
		}
	}
	slices.Sort(out)
	return strings.Join(out, "; ")
}

// RestoreBackup is RestoreChecked for either kind of backup: a plain copy
// (hms backup) as it is, an encrypted one (hms backup --encrypt, the
// automatic backups) decrypted with recoveryKey into a private folder
// beside the database and checked against its manifest first. A wrong
// recovery key changes nothing.
func RestoreBackup(dbPath, src, recoveryKey string, opt Options, force bool) (RestoreResult, error) {
	enc, err := IsEncryptedBackup(src)
	if err != nil {
		return RestoreResult{}, app.FieldErrorf("file", "Cannot read %s: %v.", src, unwrapPathError(err))
	}
	if !enc {
		return RestoreChecked(dbPath, src, opt, force)
	}
	ids, err := parseRecoveryKey(recoveryKey)
	if err != nil {
		return RestoreResult{}, err
	}
	work, err := privateWorkDir(dbPath, ".hms-restore-")
	if err != nil {
		return RestoreResult{}, err
	}
	defer os.RemoveAll(work)
	o, err := openSealed(context.Background(), src, ids, work)
	if err != nil {
		return RestoreResult{}, err
	}
	if len(o.check.Problems) > 0 && !force {
		return RestoreResult{Checked: o.check.Checked, Problems: o.check.Problems}, app.Errorf(app.EINVALID,
			"%s was not restored: %s. Pass --force to restore it anyway.", src, i18n.Join("; ", o.check.Problems...))
	}
	res, err := RestoreChecked(dbPath, o.dbFile, opt, force)
	res.Checked = append(slices.Clone(o.ownChecks), res.Checked...)
	if len(o.check.Problems) > len(res.Problems) {
		res.Problems = o.check.Problems
	}
	return res, err
}

// failedChecks is the error of a backup refused because the database does
// not pass its checks: the schedule does not try again before the next
// daily time (BackupDue), nor on closing (BackupOnClose).
type failedChecks struct{ err *app.Error }

func (e failedChecks) Error() string { return e.err.Error() }
func (e failedChecks) Unwrap() error { return e.err }
