package pantherapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestApplyIsTheInverseOfModification keeps Apply in step with Modification: applying a
// source's own modification to an empty source gives back every changeable field.
func TestApplyIsTheInverseOfModification(t *testing.T) {
	src := S3Source{IntegrationLabel: "l", KMSKey: "k", LogProcessingRole: "r", LogStreamType: StreamXML,
		LogStreamTypeOptions: &S3LogStreamTypeOptions{XMLRootElement: "E"}, ManagedBucketNotifications: true,
		S3PrefixLogTypes: []PrefixLogTypesMapping{{Prefix: "p/", LogTypes: []string{"A.B"}, ExcludedPrefixes: []string{}}}}
	var got S3Source
	got.Apply(src.Modification())
	assert.Equal(t, src.Modification(), got.Modification())
}
