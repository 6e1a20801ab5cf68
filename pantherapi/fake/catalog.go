package fake

import (
	"slices"
	"strings"
)

// LogType is one log type (schema) in the fake's catalogue, with the fields of
// Panther's GraphQL "schemas" query.
type LogType struct {
	Name         string `json:"name"`
	Description  string `json:"description"`
	IsArchived   bool   `json:"isArchived"`
	IsManaged    bool   `json:"isManaged"`
	ReferenceURL string `json:"referenceURL"`
}

// DefaultLogTypes is the catalogue a new Server starts with: Panther-managed
// log types of common sources, two custom ones and one archived custom one
// (Custom.LegacyApp).
func DefaultLogTypes() []LogType {
	managed := func(name, desc, ref string) LogType {
		return LogType{Name: name, Description: desc, IsManaged: true, ReferenceURL: ref}
	}
	const docs = "https://docs.panther.com/data-onboarding/supported-logs/"
	return []LogType{
		managed("AWS.ALB", "Application Load Balancer access logs", docs+"aws/alb"),
		managed("AWS.CloudTrail", "AWS CloudTrail API activity events", docs+"aws/cloudtrail"),
		managed("AWS.CloudTrailDigest", "CloudTrail digest files that validate log integrity", docs+"aws/cloudtrail"),
		managed("AWS.CloudWatchEvents", "Amazon EventBridge (CloudWatch Events) events", docs+"aws/cloudwatch"),
		managed("AWS.GuardDuty", "Amazon GuardDuty findings", docs+"aws/guardduty"),
		managed("AWS.S3ServerAccess", "Amazon S3 server access logs", docs+"aws/s3"),
		managed("AWS.VPCDns", "Route 53 Resolver query logs from VPCs", docs+"aws/vpc"),
		managed("AWS.VPCFlow", "VPC Flow Logs of network traffic", docs+"aws/vpc"),
		managed("AWS.WAFWebACL", "AWS WAF web ACL traffic logs", docs+"aws/waf"),
		managed("Cloudflare.HttpRequest", "Cloudflare HTTP request logs", docs+"cloudflare"),
		managed("GCP.AuditLog", "Google Cloud audit logs", docs+"gcp/audit-logs"),
		managed("GitHub.Audit", "GitHub organization audit log", docs+"github"),
		managed("Okta.SystemLog", "Okta System Log events", docs+"okta"),
		managed("OnePassword.SignInAttempt", "1Password sign-in attempts", docs+"1password"),
		managed("Zeek.DNS", "Zeek DNS logs", docs+"zeek"),
		{Name: "Custom.MyApp", Description: "Application logs of MyApp (JSON lines)"},
		{Name: "Custom.Nginx", Description: "Nginx access logs in a custom format"},
		{Name: "Custom.LegacyApp", Description: "Logs of the retired LegacyApp", IsArchived: true},
	}
}

// LogTypes returns a copy of the catalogue, sorted by name.
func (s *Server) LogTypes() []LogType {
	s.mu.Lock()
	out := slices.Clone(s.logTypes)
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b LogType) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// SetLogTypes replaces the catalogue.
func (s *Server) SetLogTypes(types ...LogType) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logTypes = slices.Clone(types)
}

// AddLogType adds a log type to the catalogue, or replaces the one with the
// same name.
func (s *Server) AddLogType(lt LogType) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.logTypes {
		if s.logTypes[i].Name == lt.Name {
			s.logTypes[i] = lt
			return
		}
	}
	s.logTypes = append(s.logTypes, lt)
}

// schemasMatching returns the catalogue entries whose name contains
// contains (case-insensitively), sorted by name.
func (s *Server) schemasMatching(contains string) []LogType {
	var out []LogType
	needle := strings.ToLower(contains)
	for _, lt := range s.LogTypes() {
		if strings.Contains(strings.ToLower(lt.Name), needle) {
			out = append(out, lt)
		}
	}
	return out
}
