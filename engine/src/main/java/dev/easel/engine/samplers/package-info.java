/**
 * Samplers (diffusers calls them schedulers): one file per sampler, each reproducing one diffusers scheduler class
 * step for step, plus what they share.
 *
 * <ul>
 *   <li>{@link dev.easel.engine.samplers.Sampler} — the interface the denoising loop calls ({@code setTimesteps},
 *       {@code scaleModelInput}, {@code step}, {@code addNoise}).</li>
 *   <li>{@link dev.easel.engine.samplers.SchedulerConfig} — the model's {@code scheduler_config.json} with diffusers'
 *       {@code from_config} semantics: every key the chosen sampler takes, whichever class the file was saved for;
 *       keys the file lacks take the sampler class's default. Enum-valued keys are parsed once, there:
 *       {@link dev.easel.engine.samplers.TimestepSpacing}, {@link dev.easel.engine.samplers.PredictionType}.</li>
 *   <li>Bases: {@code AbstractSampler} (ᾱ schedule, kept state), {@code SigmaSampler} (k-diffusion style: Euler,
 *       Euler a, Heun, LMS), {@code DpmSolverSampler} (multistep: DPM++ 2M, UniPC; Karras sigmas);
 *       {@code Schedules} holds the NumPy-exact arithmetic (linspace, round half to even, interp, Karras).</li>
 *   <li>{@link dev.easel.engine.samplers.Samplers} — the registry: one line per sampler.</li>
 * </ul>
 *
 * <h2>Adding a sampler</h2>
 * <ol>
 *   <li>Write one class, {@code XxxSampler}, usually extending {@code SigmaSampler} or {@code DpmSolverSampler}:
 *       {@code id()}, {@code setTimesteps} (the class's default spacing via {@code spacing(TimestepSpacing.X)}) if the
 *       base's does not fit, and {@code step}. Draw noise only through the {@code Noise} argument, so seeds give
 *       diffusers' numbers. Honour {@code config.predictionType()} (reject what diffusers rejects, with an
 *       {@code EngineException}) and, if the diffusers class takes {@code use_karras_sigmas}, {@code
 *       config.useKarrasSigmas()}.</li>
 *   <li>Add one line to the static block of {@code Samplers}: id, A1111 display name, diffusers class name,
 *       {@code STOCHASTIC} or {@code DETERMINISTIC}, {@code KARRAS} (registers "Name Karras" / {@code id_karras}
 *       too) or {@code NO_KARRAS}, the factory, and any other names people write (e.g. {@code k_euler}).</li>
 *   <li>Nothing else: the command line, magics (completion included), sweeps, the "parameters" text and the
 *       oracle test in {@code SamplerBehaviourTest} (every registered sampler must converge with an exact
 *       denoiser, for every spacing and prediction type) pick it up. Add a table test against diffusers' timesteps
 *       and sigmas where reference data exists.</li>
 * </ol>
 */
package dev.easel.engine.samplers;
