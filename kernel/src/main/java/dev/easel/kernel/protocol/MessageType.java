package dev.easel.kernel.protocol;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every message type this kernel knows, in one table: the name on the wire and the content record it carries.
 * Requests name their reply. Handlers are registered per request type in {@code handlers/Handlers}.
 */
public enum MessageType {
    // shell (and control) requests and their replies
    KERNEL_INFO_REQUEST("kernel_info_request", Contents.Empty.class),
    KERNEL_INFO_REPLY("kernel_info_reply", Contents.KernelInfoReply.class),
    EXECUTE_REQUEST("execute_request", Contents.ExecuteRequest.class),
    EXECUTE_REPLY("execute_reply", Contents.ExecuteReply.class),
    COMPLETE_REQUEST("complete_request", Contents.CompleteRequest.class),
    COMPLETE_REPLY("complete_reply", Contents.CompleteReply.class),
    INSPECT_REQUEST("inspect_request", Contents.InspectRequest.class),
    INSPECT_REPLY("inspect_reply", Contents.InspectReply.class),
    IS_COMPLETE_REQUEST("is_complete_request", Contents.IsCompleteRequest.class),
    IS_COMPLETE_REPLY("is_complete_reply", Contents.IsCompleteReply.class),
    HISTORY_REQUEST("history_request", Contents.HistoryRequest.class),
    HISTORY_REPLY("history_reply", Contents.HistoryReply.class),
    COMM_INFO_REQUEST("comm_info_request", Contents.CommInfoRequest.class),
    COMM_INFO_REPLY("comm_info_reply", Contents.CommInfoReply.class),
    SHUTDOWN_REQUEST("shutdown_request", Contents.ShutdownRequest.class),
    SHUTDOWN_REPLY("shutdown_reply", Contents.ShutdownReply.class),
    INTERRUPT_REQUEST("interrupt_request", Contents.Empty.class),
    INTERRUPT_REPLY("interrupt_reply", Contents.Status.class),
    // comms, in both directions on shell / iopub
    COMM_OPEN("comm_open", Contents.CommOpen.class),
    COMM_MSG("comm_msg", Contents.CommMsg.class),
    COMM_CLOSE("comm_close", Contents.CommClose.class),
    // iopub
    STATUS("status", Contents.KernelStatus.class),
    EXECUTE_INPUT("execute_input", Contents.ExecuteInput.class),
    STREAM("stream", Contents.Stream.class),
    EXECUTE_RESULT("execute_result", Contents.ExecuteResult.class),
    DISPLAY_DATA("display_data", Contents.DisplayData.class),
    UPDATE_DISPLAY_DATA("update_display_data", Contents.DisplayData.class),
    CLEAR_OUTPUT("clear_output", Contents.ClearOutput.class),
    ERROR("error", Contents.Error.class),
    // stdin
    INPUT_REQUEST("input_request", Contents.InputRequest.class),
    INPUT_REPLY("input_reply", Contents.InputReply.class);

    private static final Map<String, MessageType> BY_NAME = new HashMap<>();

    static {
        for (MessageType type : values()) {
            BY_NAME.put(type.wireName, type);
        }
    }

    private final String wireName;
    private final Class<?> contentType;

    MessageType(String wireName, Class<?> contentType) {
        this.wireName = wireName;
        this.contentType = contentType;
    }

    public String wireName() {
        return wireName;
    }

    public Class<?> contentType() {
        return contentType;
    }

    /** The reply type of a {@code *_request}. */
    public MessageType reply() {
        if (!wireName.endsWith("_request")) {
            throw new IllegalStateException(wireName + " is not a request");
        }
        return BY_NAME.get(wireName.replace("_request", "_reply"));
    }

    public static Optional<MessageType> byName(String wireName) {
        return Optional.ofNullable(BY_NAME.get(wireName));
    }
}
