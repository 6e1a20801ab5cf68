// Package kubernetes_test checks the manifests under deploy/kubernetes: every file decodes
// strictly into Kubernetes API types, every kustomization builds with kustomize's own
// library, and every pod template passes Kubernetes' Pod Security "restricted" checker.
//
// This is a module of its own so that the Kubernetes libraries stay out of the server's
// module. Run it with `make test-deploy` (cd deploy/kubernetes && go test ./...).
package kubernetes_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// The forms shipped, one kustomization each.
var forms = []string{"sidecar", "service"}

const (
	serverContainer = "panther-s3-mcp"
	serverImage     = "ghcr.io/panther-s3-mcp/panther-s3-mcp"
	nonRootID       = int64(65532)
)

// decoder decodes YAML or JSON into the typed objects of the API groups the manifests use,
// failing on unknown or duplicated fields.
func decoder(t *testing.T) runtime.Decoder {
	t.Helper()
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, autoscalingv2.AddToScheme,
		policyv1.AddToScheme, networkingv1.AddToScheme,
	} {
		require.NoError(t, add(scheme))
	}
	return serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
}

// decodeAll splits a multi-document YAML stream and decodes each document strictly.
func decodeAll(t *testing.T, name string, data []byte) []runtime.Object {
	t.Helper()
	dec := decoder(t)
	r := utilyaml.NewYAMLReader(bufioReader(data))
	var out []runtime.Object
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, name)
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		obj, _, err := dec.Decode(doc, nil, nil)
		require.NoError(t, err, "%s: strict decode", name)
		out = append(out, obj)
	}
	return out
}

// build runs kustomize on one form and decodes what it produces.
func build(t *testing.T, form string) []runtime.Object {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	rm, err := k.Run(filesys.MakeFsOnDisk(), form)
	require.NoError(t, err, "kustomize build %s", form)
	out, err := rm.AsYaml()
	require.NoError(t, err)
	return decodeAll(t, form+" (kustomize build)", out)
}

// kustomization is the part of kustomization.yaml the tests read.
type kustomization struct {
	Resources []string `json:"resources"`
	Images    []struct {
		Name   string `json:"name"`
		NewTag string `json:"newTag"`
	} `json:"images"`
}

func readKustomization(t *testing.T, form string) kustomization {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(form, "kustomization.yaml"))
	require.NoError(t, err)
	js, err := utilyaml.ToJSON(raw)
	require.NoError(t, err)
	var k kustomization
	require.NoError(t, json.Unmarshal(js, &k))
	return k
}

// TestEveryFileDecodesStrictlyAndIsListed: each manifest file decodes into API types with no
// unknown field, and each one is part of its kustomization (none is left out by mistake).
func TestEveryFileDecodesStrictlyAndIsListed(t *testing.T) {
	for _, form := range forms {
		t.Run(form, func(t *testing.T) {
			k := readKustomization(t, form)
			files, err := filepath.Glob(filepath.Join(form, "*.yaml"))
			require.NoError(t, err)
			var manifests []string
			for _, f := range files {
				if filepath.Base(f) == "kustomization.yaml" {
					continue
				}
				manifests = append(manifests, filepath.Base(f))
				raw, err := os.ReadFile(f)
				require.NoError(t, err)
				objs := decodeAll(t, f, raw)
				assert.NotEmpty(t, objs, "%s holds a manifest", f)
				for _, o := range objs {
					_, isSecret := o.(*corev1.Secret)
					assert.False(t, isSecret, "%s: secrets are created from the command line, never committed", f)
				}
			}
			sort.Strings(manifests)
			listed := append([]string(nil), k.Resources...)
			sort.Strings(listed)
			assert.Equal(t, manifests, listed, "kustomization.yaml lists every manifest in %s/", form)
		})
	}
}

// TestImageTagMatchesRelease: the image the manifests deploy is the version server.json
// announces, so a release bumps both.
func TestImageTagMatchesRelease(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "server.json"))
	require.NoError(t, err)
	var sj struct {
		Version string `json:"version"`
	}
	require.NoError(t, json.Unmarshal(raw, &sj))
	for _, form := range forms {
		k := readKustomization(t, form)
		require.Len(t, k.Images, 1, form)
		assert.Equal(t, serverImage, k.Images[0].Name, form)
		assert.Equal(t, sj.Version, k.Images[0].NewTag, "%s: image tag = server.json version", form)
	}
}

// TestPodTemplatesPassRestricted runs Kubernetes' own Pod Security checker at the
// "restricted" level, latest version, on every pod template kustomize produces.
func TestPodTemplatesPassRestricted(t *testing.T) {
	eval, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	require.NoError(t, err)
	lv := psaapi.LevelVersion{Level: psaapi.LevelRestricted, Version: psaapi.LatestVersion()}
	for _, form := range forms {
		t.Run(form, func(t *testing.T) {
			deployments := 0
			for _, o := range build(t, form) {
				d, ok := o.(*appsv1.Deployment)
				if !ok {
					continue
				}
				deployments++
				res := policy.AggregateCheckResults(eval.EvaluatePod(lv, &d.Spec.Template.ObjectMeta, &d.Spec.Template.Spec))
				assert.True(t, res.Allowed, "%s/%s violates restricted: %s: %s", form, d.Name, res.ForbiddenReason(), res.ForbiddenDetail())
			}
			assert.Equal(t, 1, deployments, form)
		})
	}
}

// TestCheckerCatchesAViolation keeps the test above honest: the same checker refuses the
// server's pod once the seccomp profile is removed and the user is root.
func TestCheckerCatchesAViolation(t *testing.T) {
	eval, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	require.NoError(t, err)
	lv := psaapi.LevelVersion{Level: psaapi.LevelRestricted, Version: psaapi.LatestVersion()}
	d := deploymentOf(t, build(t, "service"))
	spec := d.Spec.Template.Spec.DeepCopy()
	spec.SecurityContext.SeccompProfile = nil
	spec.Containers[0].SecurityContext.SeccompProfile = nil
	root := int64(0)
	spec.Containers[0].SecurityContext.RunAsUser = &root
	res := policy.AggregateCheckResults(eval.EvaluatePod(lv, &d.Spec.Template.ObjectMeta, spec))
	assert.False(t, res.Allowed)
	assert.Contains(t, res.ForbiddenReason(), "seccompProfile")
	assert.Contains(t, res.ForbiddenReason(), "runAsUser=0")
}

func deploymentOf(t *testing.T, objs []runtime.Object) *appsv1.Deployment {
	t.Helper()
	for _, o := range objs {
		if d, ok := o.(*appsv1.Deployment); ok {
			return d
		}
	}
	require.FailNow(t, "no Deployment")
	return nil
}

// serverContainerOf finds the panther-s3-mcp container among the containers and init
// containers of a pod template.
func serverContainerOf(t *testing.T, spec *corev1.PodSpec) (c *corev1.Container, init bool) {
	t.Helper()
	for i := range spec.InitContainers {
		if spec.InitContainers[i].Name == serverContainer {
			return &spec.InitContainers[i], true
		}
	}
	for i := range spec.Containers {
		if spec.Containers[i].Name == serverContainer {
			return &spec.Containers[i], false
		}
	}
	require.FailNow(t, "no panther-s3-mcp container")
	return nil, false
}

// TestServerContainer checks what the server needs in both forms: the released image, HTTP
// on 8080 with a bearer token from the Secret, probes on /healthz and /readyz, GOMEMLIMIT from
// the memory limit, and the numeric non-root user of the image.
func TestServerContainer(t *testing.T) {
	for _, form := range forms {
		t.Run(form, func(t *testing.T) {
			d := deploymentOf(t, build(t, form))
			spec := &d.Spec.Template.Spec
			c, init := serverContainerOf(t, spec)
			if form == "sidecar" {
				require.True(t, init, "the sidecar is a native sidecar: an init container")
				require.NotNil(t, c.RestartPolicy)
				assert.Equal(t, corev1.ContainerRestartPolicyAlways, *c.RestartPolicy)
			} else {
				assert.False(t, init)
			}
			assert.True(t, strings.HasPrefix(c.Image, serverImage+":"), c.Image)

			env := map[string]corev1.EnvVar{}
			for _, e := range c.Env {
				env[e.Name] = e
			}
			assert.Equal(t, "http", env["MCP_TRANSPORT"].Value)
			assert.Equal(t, "0.0.0.0:8080", env["MCP_ADDR"].Value)
			// Probes and scrapers address the pod IP, which must pass the Host check: POD_IP
			// from the downward API, defined before MCP_ALLOWED_HOSTS refers to it.
			require.NotNil(t, env["POD_IP"].ValueFrom, "POD_IP comes from the downward API")
			assert.Equal(t, "status.podIP", env["POD_IP"].ValueFrom.FieldRef.FieldPath)
			assert.Contains(t, env["MCP_ALLOWED_HOSTS"].Value, "$(POD_IP)")
			assert.Less(t, slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "POD_IP" }),
				slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "MCP_ALLOWED_HOSTS" }))
			tok := env["MCP_AUTH_TOKEN"].ValueFrom
			require.NotNil(t, tok, "MCP_AUTH_TOKEN comes from a Secret")
			require.NotNil(t, tok.SecretKeyRef)
			assert.Equal(t, "mcp-auth-token", tok.SecretKeyRef.Key)
			for name, e := range env {
				if strings.Contains(name, "TOKEN") {
					assert.Empty(t, e.Value, "%s is never a literal", name)
				}
			}

			mem := env["GOMEMLIMIT"].ValueFrom
			require.NotNil(t, mem, "GOMEMLIMIT is set")
			require.NotNil(t, mem.ResourceFieldRef)
			assert.Equal(t, "limits.memory", mem.ResourceFieldRef.Resource)
			// A divisor would turn bytes into a bare number the Go runtime reads as bytes.
			assert.True(t, mem.ResourceFieldRef.Divisor.IsZero() || mem.ResourceFieldRef.Divisor.Value() == 1)
			lim, ok := c.Resources.Limits[corev1.ResourceMemory]
			require.True(t, ok, "a memory limit exists for GOMEMLIMIT to follow")
			assert.Positive(t, lim.Value())
			_, ok = c.Resources.Requests[corev1.ResourceCPU]
			assert.True(t, ok, "a CPU request")

			require.Len(t, c.Ports, 1)
			assert.Equal(t, int32(8080), c.Ports[0].ContainerPort)
			require.NotNil(t, c.LivenessProbe)
			require.NotNil(t, c.ReadinessProbe)
			require.NotNil(t, c.LivenessProbe.HTTPGet)
			require.NotNil(t, c.ReadinessProbe.HTTPGet)
			assert.Equal(t, "/healthz", c.LivenessProbe.HTTPGet.Path)
			assert.Equal(t, "/readyz", c.ReadinessProbe.HTTPGet.Path)
			assert.Equal(t, c.Ports[0].Name, c.LivenessProbe.HTTPGet.Port.String())
			assert.Equal(t, c.Ports[0].Name, c.ReadinessProbe.HTTPGet.Port.String())

			sc := c.SecurityContext
			require.NotNil(t, sc)
			require.NotNil(t, sc.RunAsUser)
			require.NotNil(t, sc.RunAsNonRoot)
			require.NotNil(t, sc.ReadOnlyRootFilesystem)
			require.NotNil(t, sc.AllowPrivilegeEscalation)
			assert.Equal(t, nonRootID, *sc.RunAsUser, "the image's numeric user")
			assert.True(t, *sc.RunAsNonRoot)
			assert.True(t, *sc.ReadOnlyRootFilesystem)
			assert.False(t, *sc.AllowPrivilegeEscalation)
			require.NotNil(t, sc.Capabilities)
			assert.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop)
			assert.Empty(t, sc.Capabilities.Add)
			require.NotNil(t, spec.SecurityContext)
			require.NotNil(t, spec.SecurityContext.SeccompProfile)
			assert.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, spec.SecurityContext.SeccompProfile.Type)
			assert.NotNil(t, spec.TerminationGracePeriodSeconds)
			assert.Greater(t, *spec.TerminationGracePeriodSeconds, int64(20), "longer than MCP_SHUTDOWN_TIMEOUT")
			require.NotNil(t, spec.AutomountServiceAccountToken)
			assert.False(t, *spec.AutomountServiceAccountToken)
		})
	}
}

// TestServiceForm checks how the shared-service objects fit together.
func TestServiceForm(t *testing.T) {
	objs := build(t, "service")
	var (
		dep *appsv1.Deployment
		svc *corev1.Service
		hpa *autoscalingv2.HorizontalPodAutoscaler
		pdb *policyv1.PodDisruptionBudget
		np  *networkingv1.NetworkPolicy
		cm  *corev1.ConfigMap
	)
	for _, o := range objs {
		switch v := o.(type) {
		case *appsv1.Deployment:
			dep = v
		case *corev1.Service:
			svc = v
		case *autoscalingv2.HorizontalPodAutoscaler:
			hpa = v
		case *policyv1.PodDisruptionBudget:
			pdb = v
		case *networkingv1.NetworkPolicy:
			np = v
		case *corev1.ConfigMap:
			cm = v
		}
	}
	require.NotNil(t, dep)
	require.NotNil(t, svc)
	require.NotNil(t, hpa)
	require.NotNil(t, pdb)
	require.NotNil(t, np)
	require.NotNil(t, cm)
	pod := dep.Spec.Template.Labels

	assert.True(t, selects(svc.Spec.Selector, pod), "the Service selects the pods")
	require.Len(t, svc.Spec.Ports, 1)
	c, _ := serverContainerOf(t, &dep.Spec.Template.Spec)
	assert.Equal(t, c.Ports[0].Name, svc.Spec.Ports[0].TargetPort.String())

	assert.Equal(t, "Deployment", hpa.Spec.ScaleTargetRef.Kind)
	assert.Equal(t, dep.Name, hpa.Spec.ScaleTargetRef.Name)
	require.NotNil(t, hpa.Spec.MinReplicas)
	assert.GreaterOrEqual(t, *hpa.Spec.MinReplicas, int32(2))
	require.Len(t, hpa.Spec.Metrics, 1)
	m := hpa.Spec.Metrics[0]
	require.NotNil(t, m.Resource)
	assert.Equal(t, corev1.ResourceCPU, m.Resource.Name, "scales on CPU")
	assert.Equal(t, autoscalingv2.UtilizationMetricType, m.Resource.Target.Type)

	require.NotNil(t, pdb.Spec.Selector)
	assert.True(t, selects(pdb.Spec.Selector.MatchLabels, pod), "the PDB covers the pods")

	// The Deployment reads the URL from the generated ConfigMap (kustomize renamed it).
	require.Len(t, c.EnvFrom, 1)
	assert.Equal(t, cm.Name, c.EnvFrom[0].ConfigMapRef.Name)
	assert.Contains(t, cm.Data, "PANTHER_API_URL")

	assert.True(t, selects(np.Spec.PodSelector.MatchLabels, pod), "the NetworkPolicy covers the pods")
	assert.ElementsMatch(t, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}, np.Spec.PolicyTypes)
	require.Len(t, np.Spec.Ingress, 1)
	in := np.Spec.Ingress[0]
	require.Len(t, in.From, 1)
	assert.Nil(t, in.From[0].IPBlock, "in: pods only, no address range")
	require.NotNil(t, in.From[0].PodSelector)
	assert.NotEmpty(t, in.From[0].PodSelector.MatchLabels, "in: only the agent's pods")
	assert.False(t, selects(in.From[0].PodSelector.MatchLabels, pod), "the agents' label is not the server's")
	require.Len(t, in.Ports, 1)
	assert.Equal(t, int32(8080), in.Ports[0].Port.IntVal)

	var out []string
	for _, rule := range np.Spec.Egress {
		for _, p := range rule.Ports {
			out = append(out, string(*p.Protocol)+"/"+p.Port.String())
		}
		for _, peer := range rule.To {
			if peer.IPBlock != nil {
				for _, p := range rule.Ports {
					assert.Equal(t, "443", p.Port.String(), "out to addresses: HTTPS only")
				}
			}
		}
	}
	assert.ElementsMatch(t, []string{"TCP/443", "UDP/53", "TCP/53"}, out, "out: HTTPS and DNS only")
}

func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}
