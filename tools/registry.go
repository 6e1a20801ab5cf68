package tools

// definitions lists every tool, in the order tools/list shows them. Adding a tool is one
// file defining its Spec and one line here.
func definitions() []definition {
	return []definition{
		listS3Sources(),
		getS3Source(),
		createS3Source(),
		updateS3Source(),
		deleteS3Source(),
		listLogTypes(),
		getS3SourceHealth(),
		setS3SourceAlarm(),
		getS3SourceAWSSetup(),
		listS3SourceChanges(),
		restoreS3Source(),
	}
}

// All returns every tool built against d, in a stable order.
func All(d *Deps) []Tool {
	if d.Confirm == nil {
		d.Confirm = NewConfirmer()
	}
	defs := definitions()
	out := make([]Tool, len(defs))
	for i, def := range defs {
		out[i] = def.build(d)
	}
	return out
}

// Names returns the name of every tool, in the order of All.
func Names() []string {
	defs := definitions()
	out := make([]string, len(defs))
	for i, def := range defs {
		out[i] = def.name()
	}
	return out
}
