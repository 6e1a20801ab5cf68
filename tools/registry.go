package tools

// All returns every tool, in a stable order.
func All(d *Deps) []Tool {
	return []Tool{
		ListS3Sources(d),
		GetS3Source(d),
		CreateS3Source(d),
		UpdateS3Source(d),
		DeleteS3Source(d),
	}
}
