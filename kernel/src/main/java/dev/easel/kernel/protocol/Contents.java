package dev.easel.kernel.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * One record per message content type (field names are snake_cased on the wire by {@link Json}). Requests tolerate
 * missing optional fields; their accessors with defaults are named after the spec's defaults.
 */
public final class Contents {

    private Contents() {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Empty() {}

    /** A reply that only says {@code ok} (e.g. {@code interrupt_reply}). */
    public record Status(String status) {
        public static Status ok() {
            return new Status("ok");
        }
    }

    public record LanguageInfo(
            String name,
            String version,
            String mimetype,
            String fileExtension,
            String codemirrorMode,
            String pygmentsLexer) {}

    public record HelpLink(String text, String url) {}

    public record KernelInfoReply(
            String status,
            String protocolVersion,
            String implementation,
            String implementationVersion,
            LanguageInfo languageInfo,
            String banner,
            List<HelpLink> helpLinks,
            boolean debugger) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ExecuteRequest(
            String code,
            Boolean silent,
            Boolean storeHistory,
            Map<String, String> userExpressions,
            Boolean allowStdin,
            Boolean stopOnError) {
        public boolean isSilent() {
            return Boolean.TRUE.equals(silent);
        }

        /** Spec: defaults to true, and is forced false when silent. */
        public boolean storesHistory() {
            return !isSilent() && !Boolean.FALSE.equals(storeHistory);
        }

        public boolean allowsStdin() {
            return !Boolean.FALSE.equals(allowStdin);
        }

        public boolean stopsOnError() {
            return !Boolean.FALSE.equals(stopOnError);
        }

        public Map<String, String> expressions() {
            return userExpressions == null ? Map.of() : userExpressions;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ExecuteReply(
            String status,
            int executionCount,
            Map<String, Object> userExpressions,
            List<Map<String, Object>> payload,
            String ename,
            String evalue,
            List<String> traceback) {}

    public record ExecuteInput(String code, int executionCount) {}

    public record Stream(String name, String text) {}

    public record ExecuteResult(int executionCount, Map<String, Object> data, Map<String, Object> metadata) {}

    public record DisplayData(
            Map<String, Object> data,
            Map<String, Object> metadata,
            @JsonProperty("transient") Map<String, Object> transientData) {}

    public record ClearOutput(@JsonProperty("wait") boolean waitForNext) {}

    public record Error(String ename, String evalue, List<String> traceback) {}

    public record KernelStatus(String executionState) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CompleteRequest(String code, int cursorPos) {}

    public record CompleteReply(
            String status, List<String> matches, int cursorStart, int cursorEnd, Map<String, Object> metadata) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record InspectRequest(String code, int cursorPos, Integer detailLevel) {}

    public record InspectReply(String status, boolean found, Map<String, Object> data, Map<String, Object> metadata) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record IsCompleteRequest(String code) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record IsCompleteReply(String status, String indent) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record HistoryRequest(
            Boolean output,
            Boolean raw,
            String histAccessType,
            Integer session,
            Integer start,
            Integer stop,
            Integer n,
            String pattern,
            Boolean unique) {}

    /** Entries are {@code [session, line, input]} or, with output, {@code [session, line, [input, output]]}. */
    public record HistoryReply(String status, List<List<Object>> history) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CommInfoRequest(String targetName) {}

    public record CommInfoReply(String status, Map<String, Map<String, String>> comms) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CommOpen(String commId, String targetName, Map<String, Object> data, String targetModule) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CommMsg(String commId, Map<String, Object> data) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CommClose(String commId, Map<String, Object> data) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ShutdownRequest(boolean restart) {}

    public record ShutdownReply(String status, boolean restart) {}

    public record InputRequest(String prompt, boolean password) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record InputReply(String value) {}
}
