package proto

// Tag is a message's tag, the first item of its body. Each direction has its
// own tag space: tag 0 is Heartbeat from a device and HeartbeatAck from the
// gateway.
type Tag uint64

// Direction says who sent a message, and so which tag space its tag is in.
type Direction uint8

const (
	FromDevice  Direction = iota // device → gateway
	FromGateway                  // gateway → device
)

func (d Direction) String() string {
	switch d {
	case FromDevice:
		return "device"
	case FromGateway:
		return "gateway"
	}
	return "unknown direction"
}

// Device → gateway tags.
const (
	TagHeartbeat            Tag = 0
	TagEnrollmentRequest    Tag = 1
	TagPublicKey            Tag = 2
	TagApplicationStatus    Tag = 3
	TagApplicationDeployAck Tag = 4
	TagApplicationStopAck   Tag = 5
	TagDeviceInfo           Tag = 6
	TagDeviceError          Tag = 7
	TagAppEvent             Tag = 8
)

// Gateway → device tags.
const (
	TagHeartbeatAck             Tag = 0
	TagEnrollmentAccepted       Tag = 1
	TagEnrollmentRejected       Tag = 2
	TagDeviceUUID               Tag = 3
	TagDeployApplication        Tag = 4
	TagStopApplication          Tag = 5
	TagRequestDeviceInfo        Tag = 6
	TagRequestApplicationStatus Tag = 7
	TagDeployChunk              Tag = 8
	TagDeployCommit             Tag = 9
	TagGatewayError             Tag = 10
	TagAppMessage               Tag = 11
)

// Index of Counters in Heartbeat.
const (
	CounterLinkFramesIn = iota
	CounterLinkFramesDropped
	CounterTLSRecordsIn
	CounterTLSRecordsOut
	CounterHeartbeatRTTUs // the device's latest heartbeat round trip, µs
	NumCounters
)

// MaxChunk is the most data one DeployChunk carries.
const MaxChunk = 1024

// MaxEventData is the most data one AppEvent or AppMessage carries: a log
// line, a published message (apps.MaxLog, apps.MaxPublish) or one for the
// app to receive.
const MaxEventData = 256

// AppEvent kinds.
const (
	EventLog     = 0 // data is a line the app logged
	EventPublish = 1 // data was published on topic
)

// App states, in AppStatus, ApplicationStatus and Heartbeat.Apps.
const (
	AppNone      = 0 // no app
	AppDeploying = 1 // its bytes are arriving
	AppRunning   = 2
	AppSleeping  = 3 // in sleep_ms
	AppStopped   = 4 // run() returned, or it was stopped
	AppTrapped   = 5 // detail says why and where
	AppFailed    = 6 // it could not start: detail says why
)

// A Message is one of the message types below. Each struct lists its fields
// in wire order; the proto struct tag gives the field's name (in errors and
// Dump) and, for byte strings, an upper bound on their length.
type Message interface {
	Tag() Tag
	Direction() Direction
}

// AppID names an application. UUID names a device.
type (
	AppID [16]byte
	UUID  [16]byte
)

// AppStatus is one application's state, in Heartbeat.Apps. It is encoded as
// the array [app_id, state, detail], later items ignored.
type AppStatus struct {
	AppID  AppID  `proto:"app_id"`
	State  uint64 `proto:"state"`
	Detail string `proto:"detail"`
	Fuel   uint64 `proto:"fuel"` // spent since the app started: calls and loop back-edges
}

// Device → gateway messages.

type Heartbeat struct {
	Seq      uint64      `proto:"seq"`
	UptimeMs uint64      `proto:"uptime_ms"`
	FreeRAM  uint64      `proto:"free_ram"`
	Counters []uint64    `proto:"counters"` // indexed by Counter*
	Apps     []AppStatus `proto:"apps"`
}

type EnrollmentRequest struct{}

type PublicKey struct {
	Key [32]byte `proto:"key"`
}

type ApplicationStatus struct {
	AppID  AppID  `proto:"app_id"`
	State  uint64 `proto:"state"`
	Detail string `proto:"detail"`
	Fuel   uint64 `proto:"fuel"`
}

type ApplicationDeployAck struct {
	AppID AppID  `proto:"app_id"`
	OK    bool   `proto:"ok"`
	Error string `proto:"error"`
}

type ApplicationStopAck struct {
	AppID AppID `proto:"app_id"`
	OK    bool  `proto:"ok"`
}

type DeviceInfo struct {
	Board           string   `proto:"board"`
	FirmwareVersion string   `proto:"firmware_version"`
	BuildID         []byte   `proto:"build_id"`
	RAM             uint64   `proto:"ram"`
	Capabilities    []string `proto:"capabilities"`
}

type DeviceError struct {
	Code    ErrorCode `proto:"code"`
	Message string    `proto:"message"`
}

// AppEvent is what an app logged or published.
type AppEvent struct {
	AppID AppID  `proto:"app_id"`
	Kind  uint64 `proto:"kind"`  // Event*
	Topic string `proto:"topic"` // empty for a log line
	Data  []byte `proto:"data,max=256"`
}

// Gateway → device messages.

type HeartbeatAck struct {
	Seq uint64 `proto:"seq"` // the acknowledged Heartbeat's
}

type EnrollmentAccepted struct {
	HeartbeatMs uint64 `proto:"heartbeat_ms"`
}

type EnrollmentRejected struct {
	Reason string `proto:"reason"`
}

type DeviceUUID struct {
	UUID UUID `proto:"uuid"`
}

// DeployApplication begins a chunked deploy of Size bytes whose SHA-256 is
// SHA256; DeployChunk messages follow, then DeployCommit.
type DeployApplication struct {
	AppID  AppID    `proto:"app_id"`
	Name   string   `proto:"name"`
	Size   uint64   `proto:"size"`
	SHA256 [32]byte `proto:"sha256"`
}

type StopApplication struct {
	AppID AppID `proto:"app_id"`
}

type RequestDeviceInfo struct{}

type RequestApplicationStatus struct {
	AppID AppID `proto:"app_id"`
}

type DeployChunk struct {
	AppID  AppID  `proto:"app_id"`
	Offset uint64 `proto:"offset"`
	Data   []byte `proto:"data,max=1024"`
}

type DeployCommit struct {
	AppID AppID `proto:"app_id"`
}

type GatewayError struct {
	Code    ErrorCode `proto:"code"`
	Message string    `proto:"message"`
}

// AppMessage is a message for the device's app, which takes it with the
// receive host function.
type AppMessage struct {
	AppID AppID  `proto:"app_id"`
	Data  []byte `proto:"data,max=256"`
}

func (Heartbeat) Tag() Tag                { return TagHeartbeat }
func (EnrollmentRequest) Tag() Tag        { return TagEnrollmentRequest }
func (PublicKey) Tag() Tag                { return TagPublicKey }
func (ApplicationStatus) Tag() Tag        { return TagApplicationStatus }
func (ApplicationDeployAck) Tag() Tag     { return TagApplicationDeployAck }
func (ApplicationStopAck) Tag() Tag       { return TagApplicationStopAck }
func (DeviceInfo) Tag() Tag               { return TagDeviceInfo }
func (DeviceError) Tag() Tag              { return TagDeviceError }
func (AppEvent) Tag() Tag                 { return TagAppEvent }
func (HeartbeatAck) Tag() Tag             { return TagHeartbeatAck }
func (EnrollmentAccepted) Tag() Tag       { return TagEnrollmentAccepted }
func (EnrollmentRejected) Tag() Tag       { return TagEnrollmentRejected }
func (DeviceUUID) Tag() Tag               { return TagDeviceUUID }
func (DeployApplication) Tag() Tag        { return TagDeployApplication }
func (StopApplication) Tag() Tag          { return TagStopApplication }
func (RequestDeviceInfo) Tag() Tag        { return TagRequestDeviceInfo }
func (RequestApplicationStatus) Tag() Tag { return TagRequestApplicationStatus }
func (DeployChunk) Tag() Tag              { return TagDeployChunk }
func (DeployCommit) Tag() Tag             { return TagDeployCommit }
func (GatewayError) Tag() Tag             { return TagGatewayError }
func (AppMessage) Tag() Tag               { return TagAppMessage }

func (Heartbeat) Direction() Direction                { return FromDevice }
func (EnrollmentRequest) Direction() Direction        { return FromDevice }
func (PublicKey) Direction() Direction                { return FromDevice }
func (ApplicationStatus) Direction() Direction        { return FromDevice }
func (ApplicationDeployAck) Direction() Direction     { return FromDevice }
func (ApplicationStopAck) Direction() Direction       { return FromDevice }
func (DeviceInfo) Direction() Direction               { return FromDevice }
func (DeviceError) Direction() Direction              { return FromDevice }
func (AppEvent) Direction() Direction                 { return FromDevice }
func (HeartbeatAck) Direction() Direction             { return FromGateway }
func (EnrollmentAccepted) Direction() Direction       { return FromGateway }
func (EnrollmentRejected) Direction() Direction       { return FromGateway }
func (DeviceUUID) Direction() Direction               { return FromGateway }
func (DeployApplication) Direction() Direction        { return FromGateway }
func (StopApplication) Direction() Direction          { return FromGateway }
func (RequestDeviceInfo) Direction() Direction        { return FromGateway }
func (RequestApplicationStatus) Direction() Direction { return FromGateway }
func (DeployChunk) Direction() Direction              { return FromGateway }
func (DeployCommit) Direction() Direction             { return FromGateway }
func (GatewayError) Direction() Direction             { return FromGateway }
func (AppMessage) Direction() Direction               { return FromGateway }

// messageTypes lists each direction's messages, indexed by tag.
var messageTypes = [2][]Message{
	FromDevice: {Heartbeat{}, EnrollmentRequest{}, PublicKey{}, ApplicationStatus{},
		ApplicationDeployAck{}, ApplicationStopAck{}, DeviceInfo{}, DeviceError{}, AppEvent{}},
	FromGateway: {HeartbeatAck{}, EnrollmentAccepted{}, EnrollmentRejected{}, DeviceUUID{},
		DeployApplication{}, StopApplication{}, RequestDeviceInfo{}, RequestApplicationStatus{},
		DeployChunk{}, DeployCommit{}, GatewayError{}, AppMessage{}},
}
