/**
 * Editor code the node dialogs of node-red-contrib-zoho share: value checks for `defaults`,
 * TypedInput presets, option lists, and the pickers filled from the chosen connection.
 *
 * Plain browser JavaScript, no build. Each nodes/<type>.html loads it with
 *   <script src="resources/node-red-contrib-zoho/zoho-editor.js"></script>
 * before its own registerType runs; a node set can be disabled on its own, so every .html
 * loads it and a second load only defines the same functions again.
 */
(function () {
  'use strict';

  /** Where a TypedInput value may come from besides its literal types. */
  var VALUE_SOURCES = ['msg', 'flow', 'global', 'env', 'jsonata'];

  var empty = function (v) {
    return v === '' || v === undefined;
  };

  /** `defaults` checks: an empty field is always fine (the node falls back to its default). */
  var validate = {
    /** Digits only, at least `min` and at most `max` (no upper bound when max is undefined). */
    wholeNumber: function (min, max) {
      return function (v) {
        if (empty(v)) return true;
        var n = Number(v);
        return /^\d+$/.test(String(v)) && n >= min && (max === undefined || n <= max);
      };
    },
    /** 1, 2, 3, … written without a leading zero: page numbers and record caps. */
    counting: function () {
      return function (v) {
        return empty(v) || /^[1-9]\d*$/.test(String(v));
      };
    },
    /** A Books record type or action name: a lowercase letter, then [a-z0-9_]. */
    booksName: function (optional) {
      return function (v) {
        return (optional && !v) || /^[a-z][a-z0-9_]*$/.test(String(v || ''));
      };
    },
  };

  /**
   * A TypedInput on #node-input-<prop>, its type kept in #node-input-<prop>Type: `types`
   * (literal kinds such as 'str' or 'json') followed by every value source.
   */
  function typedInput(prop, types, defaultType) {
    $('#node-input-' + prop).typedInput({
      default: defaultType || types[0],
      types: types.concat(VALUE_SOURCES),
      typeField: '#node-input-' + prop + 'Type',
    });
  }

  /**
   * The box the user types in: a TypedInput hides its <input> and draws its own, so a datalist
   * goes there. TypedInput passes on keyup and change, not input.
   */
  function typedBox(id) {
    return $('#' + id)
      .next('.red-ui-typedInput-container')
      .find('.red-ui-typedInput-input');
  }

  /**
   * Makes a text box a visible, searchable dropdown over the <option>s of `list` (the <datalist>
   * a picker fills, kept only as the store) that still takes any text, such as a custom
   * module's API name: typing shows the options whose value or label contains the text, the
   * caret button beside the box shows them all, a pick fills the box. The menu is Node-RED's
   * own autoComplete widget (Node-RED 4 and 5). `multiple`: the box holds a comma-separated
   * list and the entry after the last comma is the one searched and completed.
   */
  function searchable(box, list, multiple) {
    box.removeAttr('list');
    box.autoComplete({
      minLength: 0,
      search: function (text) {
        var head = multiple ? text.replace(/[^,]*$/, '') : '';
        var query = text.slice(head.length).trim().toLowerCase();
        return $(list)
          .children('option')
          .toArray()
          .filter(function (o) {
            var label = (o.textContent || '').toLowerCase();
            return o.value.toLowerCase().indexOf(query) >= 0 || label.indexOf(query) >= 0;
          })
          .map(function (o) {
            var named = o.textContent && o.textContent !== o.value;
            return {
              value: head + o.value,
              label: named ? o.textContent + ' — ' + o.value : o.value,
            };
          });
      },
    });
    var typed = box.closest('.red-ui-typedInput-container');
    $(
      '<button type="button" class="red-ui-button zoho-picker-open"><i class="fa fa-caret-down"></i></button>',
    )
      .attr('data-zoho-picker', list)
      .css('margin-left', '4px')
      .insertAfter(typed.length ? typed : box)
      .on('click', function () {
        box.trigger('focus');
        // Every option, whatever the box holds (a single value) or after its last comma. The
        // widget has no public "open"; _updateCompletions is the same in Node-RED 4.1 and 5.0.
        var widget = box.autoComplete('instance');
        var text = String(box.val() || '');
        if (widget && widget._updateCompletions) {
          widget._updateCompletions(multiple ? text.replace(/[^,]*$/, '') : '');
        }
      });
  }

  /** Appends one <option> per value to a <select>, its text from label(value). */
  function addOptions(select, values, label) {
    values.forEach(function (v) {
      $('<option>').val(v).text(label(v)).appendTo(select);
    });
  }

  /** The runtime's message in an admin endpoint's error answer, or the fallback. */
  function errorText(xhr, fallback) {
    var err = xhr && xhr.responseJSON && xhr.responseJSON.error;
    return err && err.message ? err.message : fallback;
  }

  /** GET an editor endpoint of the chosen connection; rejected when none is chosen yet. */
  function connectionGet(product, path) {
    var config = $('#node-input-config').val();
    if (!config || config === '_ADD_') return $.Deferred().reject().promise();
    return $.getJSON('zoho-' + product + '/' + encodeURIComponent(config) + '/' + path);
  }

  /**
   * A datalist filled from the chosen connection. Returns load(refresh), also run now and on
   * every change of the connection. Opening a dialog fires more than one load: only the newest
   * answer fills the list. Without an answer the list empties and the hint says why.
   *   opts: product ('crm' | 'books'), path(refresh), list and hint (selectors), fallback (the
   *   hint's text when the runtime gave no reason), options(body) → [{ value, label }],
   *   loaded() (optional, after the list is filled).
   */
  function connectionPicker(opts) {
    var newest = 0;
    var load = function (refresh) {
      var mine = ++newest;
      $(opts.hint).text('');
      connectionGet(opts.product, opts.path(refresh)).then(
        function (body) {
          if (mine !== newest) return;
          var list = $(opts.list).empty();
          opts.options(body).forEach(function (o) {
            $('<option>').val(o.value).text(o.label).appendTo(list);
          });
          if (opts.loaded) opts.loaded();
        },
        function (xhr) {
          if (mine !== newest) return;
          $(opts.list).empty();
          $(opts.hint).text(errorText(xhr, opts.fallback));
        },
      );
    };
    $('#node-input-config').on('change', function () {
      load(false);
    });
    load(false);
    return load;
  }

  /**
   * The CRM module picker: #<prefix>-module-list offers the modules of the chosen connection
   * that the API supports; #<prefix>-picker-hint tells why it is empty.
   */
  function modulePicker(prefix, fallback, loaded) {
    return connectionPicker({
      product: 'crm',
      path: function () {
        return 'modules';
      },
      list: '#' + prefix + '-module-list',
      hint: '#' + prefix + '-picker-hint',
      fallback: fallback,
      loaded: loaded,
      options: function (body) {
        return (body.modules || [])
          .filter(function (m) {
            return m.api_supported;
          })
          .map(function (m) {
            return { value: m.api_name, label: m.label };
          });
      },
    });
  }

  /**
   * The CRM field picker: fills `list` (a datalist) with the fields of the modules modules()
   * returns, asked of the chosen connection only for modules `known` (a module datalist) offers,
   * so a half-typed name asks nothing. With more than one module the options are Module.Field.
   * Returns load(), to run when the modules change; only the newest load fills the list.
   */
  function fieldPicker(list, known, modules) {
    var newest = 0;
    return function load() {
      var mine = ++newest;
      var offered = $(known)
        .children('option')
        .toArray()
        .map(function (o) {
          return o.value;
        });
      var mods = modules().filter(function (m) {
        return offered.indexOf(m) >= 0;
      });
      var qualify = modules().length > 1;
      var asks = mods.map(function (m) {
        return connectionGet('crm', 'fields?module=' + encodeURIComponent(m)).then(
          function (body) {
            return (body.fields || []).map(function (f) {
              return { value: (qualify ? m + '.' : '') + f.api_name, label: f.label || f.api_name };
            });
          },
          function () {
            return $.Deferred().resolve([]).promise();
          },
        );
      });
      $.when.apply($, asks).then(function () {
        if (mine !== newest) return;
        var target = $(list).empty();
        Array.prototype.slice.call(arguments).forEach(function (options) {
          (options || []).forEach(function (o) {
            $('<option>').val(o.value).text(o.label).appendTo(target);
          });
        });
      });
    };
  }

  /** registerType's paletteLabel: the node's own palette label from its locale. */
  function paletteLabel(type) {
    return function () {
      return this._(type + '.paletteLabel');
    };
  }

  /** registerType's labelStyle: italic when the user named the node. */
  function labelStyle() {
    return this.name ? 'node_label_italic' : '';
  }

  window.ZohoEditor = {
    VALUE_SOURCES: VALUE_SOURCES,
    validate: validate,
    typedInput: typedInput,
    typedBox: typedBox,
    searchable: searchable,
    addOptions: addOptions,
    errorText: errorText,
    connectionGet: connectionGet,
    connectionPicker: connectionPicker,
    modulePicker: modulePicker,
    fieldPicker: fieldPicker,
    paletteLabel: paletteLabel,
    labelStyle: labelStyle,
  };
})();
