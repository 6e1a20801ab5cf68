package pantherapi

// This file is longer than most: it is one algorithm, removing every encoded form of a
// secret (raw, JSON and percent escapes, HTML references, base64 at every alignment) before
// any text from upstream is used.

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// Redacted replaces every secret Redact finds.
const Redacted = "[redacted]"

// minSecretLen is the shortest secret Redact looks for; shorter ones would match
// ordinary text.
const minSecretLen = 4

// minBase64Len is the shortest secret whose base64 forms are looked for: the stable part
// of a shorter one's encoding is too short to be told from ordinary text.
const minBase64Len = 8

// Redact returns text with every form of each secret an upstream can reflect replaced by
// "[redacted]": the secret as is, and with any of its characters written as a JSON
// escape (\u0041, \/, \"), a percent escape (%41, %2f, + for a space), a Go quoted
// escape (\x41) or an HTML character reference (&#65; &#x41;), in any mixture; and its
// base64 encodings (standard and URL alphabets, padded or not, at each of the three
// alignments it can have inside a longer encoded value), themselves possibly escaped.
// Secrets shorter than 4 bytes are ignored. Run it on text before the text is cut, so
// no part of a secret survives the cut.
func Redact(text string, secrets ...string) string {
	needles := needlesFor(secrets)
	if len(needles) == 0 || text == "" {
		return text
	}
	return redactWith(text, needles)
}

// needlesFor returns the strings to look for: each secret and the stable parts of its
// base64 encodings.
func needlesFor(secrets []string) []string {
	var out []string
	add := func(s string) {
		for _, have := range out {
			if have == s {
				return
			}
		}
		out = append(out, s)
	}
	for _, s := range secrets {
		if len(s) < minSecretLen {
			continue
		}
		add(s)
		if len(s) < minBase64Len {
			continue
		}
		for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			for k := range 3 {
				add(base64Core(enc, s, k))
			}
		}
	}
	return out
}

// base64Core returns the characters of the base64 encoding of secret that depend only on
// the secret when it follows k other bytes: the same in every encoded value that holds
// the secret at that alignment, whatever surrounds it.
func base64Core(enc *base64.Encoding, secret string, k int) string {
	buf := make([]byte, k+len(secret))
	copy(buf[k:], secret)
	full := enc.EncodeToString(buf)
	first := (8*k + 5) / 6            // first character whose 6 bits all come from the secret
	last := 8 * (k + len(secret)) / 6 // one past the last such character
	return full[first:last]
}

// redactWith replaces, left to right, the longest encoded occurrence of any needle.
func redactWith(text string, needles []string) string {
	// Fast path: nothing in text can be an escape, so only literal occurrences matter.
	if !strings.ContainsAny(text, `\%+&`) {
		found := false
		for _, n := range needles {
			if strings.Contains(text, n) {
				found = true
				break
			}
		}
		if !found {
			return text
		}
	}
	var start [256]bool
	for _, n := range needles {
		r, size := utf8.DecodeRuneInString(n)
		start[n[0]] = true
		if size == 1 && r == ' ' {
			start['+'] = true
		}
	}
	start['\\'], start['%'], start['&'] = true, true, true

	var b strings.Builder
	copied := 0
	for i := 0; i < len(text); {
		if !start[text[i]] {
			i++
			continue
		}
		longest := 0
		for _, n := range needles {
			if end := matchEncoded(text, i, n); end-i > longest {
				longest = end - i
			}
		}
		if longest == 0 {
			i++
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(text))
		}
		b.WriteString(text[copied:i])
		b.WriteString(Redacted)
		i += longest
		copied = i
	}
	if copied == 0 {
		return text
	}
	b.WriteString(text[copied:])
	return b.String()
}

// matchEncoded reports where an encoded form of needle that starts at text[i] ends, or
// -1 when none starts there. Where a character can be read both as itself and as the
// start of an escape (& of &amp;), both readings are tried.
func matchEncoded(text string, i int, needle string) int {
	if needle == "" {
		return i
	}
	r, size := utf8.DecodeRuneInString(needle)
	raw, esc := matchRune(text, i, r)
	best := -1
	if raw > 0 {
		best = matchEncoded(text, i+raw, needle[size:])
	}
	if esc > 0 {
		best = max(best, matchEncoded(text, i+esc, needle[size:]))
	}
	return best
}

// matchRune returns the length of r as itself at text[p] and the length of an escape of
// r there; 0 for no match.
func matchRune(text string, p int, r rune) (raw, esc int) {
	if p >= len(text) {
		return 0, 0
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	if strings.HasPrefix(text[p:], string(buf[:n])) {
		raw = n
	}
	return raw, escapedRune(text, p, r, buf[:n])
}

// escapedRune returns the length of an escape of r (whose UTF-8 bytes are raw) at
// text[p], or 0.
func escapedRune(text string, p int, r rune, raw []byte) int {
	switch text[p] {
	case '+':
		if r == ' ' {
			return 1
		}
	case '%':
		// Percent escapes of each UTF-8 byte, in either hex case, possibly escaped again
		// (%2541 is %41 once decoded).
		q := p
		for _, c := range raw {
			if q >= len(text) || text[q] != '%' {
				return 0
			}
			q++
			for {
				v, ok := hexAt(text, q, 2)
				if !ok {
					return 0
				}
				q += 2
				if v == rune(c) {
					break
				}
				if v != '%' {
					return 0
				}
			}
		}
		return q - p
	case '&':
		return matchCharRef(text, p, r)
	case '\\':
		return matchBackslash(text, p, r, raw)
	}
	return 0
}

// matchBackslash matches JSON (\uXXXX, surrogate pairs, \/ \" \\ \b \f \n \r \t) and Go
// (\xHH per byte) escapes of r. A run of backslashes counts as one, so an escape that was
// escaped again (\\u0041 inside a JSON string) matches too.
func matchBackslash(text string, p int, r rune, raw []byte) int {
	q := afterBackslashes(text, p)
	if q == p || q >= len(text) {
		return 0
	}
	switch text[q] {
	case 'u':
		v, ok := hexAt(text, q+1, 4)
		if !ok {
			return 0
		}
		if v == r {
			return q + 5 - p
		}
		if r > 0xFFFF && v >= 0xD800 && v < 0xDC00 {
			q2 := afterBackslashes(text, q+5)
			if q2 > q+5 && q2 < len(text) && text[q2] == 'u' {
				lo, ok := hexAt(text, q2+1, 4)
				if ok && lo >= 0xDC00 && lo < 0xE000 && ((v-0xD800)<<10|(lo-0xDC00))+0x10000 == r {
					return q2 + 5 - p
				}
			}
		}
		return 0
	case 'x':
		pos := p
		for _, c := range raw {
			q := afterBackslashes(text, pos)
			if q == pos || q >= len(text) || text[q] != 'x' {
				return 0
			}
			v, ok := hexAt(text, q+1, 2)
			if !ok || v != rune(c) {
				return 0
			}
			pos = q + 3
		}
		return pos - p
	}
	if v, ok := shortEscape(text[q]); ok && v == r {
		return q + 1 - p
	}
	return 0
}

// afterBackslashes returns the index after the run of backslashes at text[p:].
func afterBackslashes(text string, p int) int {
	for p < len(text) && text[p] == '\\' {
		p++
	}
	return p
}

// shortEscape returns the character a two-character JSON or Go escape \c stands for.
func shortEscape(c byte) (rune, bool) {
	switch c {
	case '/', '"', '\\', '\'':
		return rune(c), true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	}
	return 0, false
}

// matchCharRef matches an HTML character reference of r: &#65;, &#x41;, or &amp; and
// the other names html.EscapeString writes.
func matchCharRef(text string, p int, r rune) int {
	q := p + 1
	if name := namedRef(r); name != "" && strings.HasPrefix(text[q:], name) {
		return 1 + len(name)
	}
	if q >= len(text) || text[q] != '#' {
		return 0
	}
	q++
	var base rune = 10
	if q < len(text) && (text[q] == 'x' || text[q] == 'X') {
		base = 16
		q++
	}
	var v rune
	digits := 0
	for q < len(text) && digits < 8 {
		d := digitVal(text[q], base)
		if d < 0 {
			break
		}
		v = v*base + d
		digits++
		q++
	}
	if digits == 0 || q >= len(text) || text[q] != ';' || v != r {
		return 0
	}
	return q + 1 - p
}

// namedRef returns the HTML character reference name of r (after the &), or "".
func namedRef(r rune) string {
	switch r {
	case '&':
		return "amp;"
	case '<':
		return "lt;"
	case '>':
		return "gt;"
	case '"':
		return "quot;"
	case '\'':
		return "apos;"
	}
	return ""
}

// hexAt parses n (at most 7) hex digits at text[p:].
func hexAt(text string, p, n int) (rune, bool) {
	if p < 0 || p+n > len(text) {
		return 0, false
	}
	var v rune
	for _, c := range []byte(text[p : p+n]) {
		d := digitVal(c, 16)
		if d < 0 {
			return 0, false
		}
		v = v<<4 | d
	}
	return v, true
}

func digitVal(c byte, base rune) rune {
	var d rune
	switch {
	case '0' <= c && c <= '9':
		d = rune(c - '0')
	case 'a' <= c && c <= 'f':
		d = rune(c-'a') + 10
	case 'A' <= c && c <= 'F':
		d = rune(c-'A') + 10
	default:
		return -1
	}
	if d >= base {
		return -1
	}
	return d
}
