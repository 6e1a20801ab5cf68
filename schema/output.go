package schema

import (
	"encoding/json"
	"fmt"
)

// ReflectOutput returns a terse schema of v's type for a tool's output: the type of each
// top-level property (and of array items), and no required list, so that the failure
// shape {"error": …} is valid under it too.
// Descriptions belong in input schemas, which the model writes; an output schema is read
// by clients that validate results, and every byte of it costs context in tools/list.
func ReflectOutput(v any) json.RawMessage {
	key := typeKey(kindOutput, v)
	if b, ok := fromTable(key); ok {
		return b
	}
	var node any
	if err := json.Unmarshal(reflectLive(v), &node); err != nil {
		panic(fmt.Sprintf("schema: decode reflected %T: %v", v, err))
	}
	b, err := json.Marshal(terse(node, 0))
	if err != nil {
		panic(fmt.Sprintf("schema: encode terse %T: %v", v, err))
	}
	record(key, b)
	return b
}

// terse keeps type and enum everywhere, and properties and items down to the top-level
// properties' own level.
func terse(node any, depth int) any {
	m, ok := node.(map[string]any)
	if !ok {
		return node
	}
	out := make(map[string]any, 3)
	for k, v := range m {
		switch k {
		case "type", "enum":
			out[k] = v
		case "required":
			// Never kept: a failed call's structured content is {"error": …}, which the
			// same schema must accept (clients validate error results too).
		case "properties":
			if depth > 0 {
				continue
			}
			props := map[string]any{}
			for name, sub := range v.(map[string]any) {
				props[name] = terse(sub, depth+1)
			}
			out[k] = props
		case "items":
			// Items of scalars say their type; items of objects are just objects.
			if items, ok := terse(v, depth+1).(map[string]any); ok && depth == 0 && items["type"] != "object" {
				out[k] = items
			}
		}
	}
	return out
}
